import { type DynamicModule, Module } from '@nestjs/common';
import { DeploymentsLiveGateway } from './deployments-live.gateway';
import { LiveBroadcast } from './live-broadcast';
import { LiveFeeds } from './live-feeds.service';
import { LiveSubscriptions } from './live-subscriptions.service';
import { DEFAULT_LIVE_SETTINGS, LIVE_SETTINGS, type LiveSettings } from './live.settings';
import { LogHistory } from './log-history';
import { ProjectEvents } from './project-events.service';
import { ProjectSubscriptions } from './project-subscriptions';
import { SseLogStreamController } from './sse-log-stream.controller';
import { SseProjectEventsController } from './sse-project-events.controller';

@Module({})
class LiveFeedModule {
  static withSettings(settings: LiveSettings): DynamicModule {
    return {
      module: LiveFeedModule,
      controllers: [SseLogStreamController, SseProjectEventsController],
      providers: [
        { provide: LIVE_SETTINGS, useValue: settings },
        LogHistory,
        LiveBroadcast,
        LiveFeeds,
        LiveSubscriptions,
        ProjectEvents,
        ProjectSubscriptions,
        DeploymentsLiveGateway,
      ],
    };
  }
}

// The live feed over Socket.IO (/deployments). Uses the global Bus and NATS connection and the
// TokenVerifier of AuthModule.
@Module({ imports: [LiveFeedModule.withSettings(DEFAULT_LIVE_SETTINGS)] })
export class LiveModule {
  /** the same module with other bounds (tests use a small ring to exercise reads from log-ingest) */
  static withSettings(settings: Partial<LiveSettings>): DynamicModule {
    return LiveFeedModule.withSettings({ ...DEFAULT_LIVE_SETTINGS, ...settings });
  }
}

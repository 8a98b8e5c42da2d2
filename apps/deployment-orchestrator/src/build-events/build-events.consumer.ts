import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { buildFinished, buildProgressed } from '@flightdeck/contracts';
import { JetStreamConsumers, route } from '@flightdeck/messaging';
import { SERVICE_SCHEMAS } from '@flightdeck/persistence';
import { BuildEventsService } from './build-events.service';

export const BUILD_EVENTS_DURABLE = 'deployment-orchestrator-build-events';

// One durable consumer shared by every replica: each event is applied once, in the transaction
// that records its id, and acknowledged after the commit.
@Injectable()
export class BuildEventsConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly consumers: JetStreamConsumers,
    private readonly ds: DataSource,
    private readonly events: BuildEventsService,
  ) {}

  async onApplicationBootstrap() {
    await this.consumers.start(
      {
        stream: 'buildEvents',
        durable: BUILD_EVENTS_DURABLE,
        routes: [
          route(buildProgressed, (data, ctx) => this.events.onProgress(ctx.tx, data)),
          route(buildFinished, (data, ctx) => this.events.onResult(ctx.tx, data)),
        ],
      },
      this.ds,
      SERVICE_SCHEMAS['deployment-orchestrator'],
    );
  }
}

import { Inject, Injectable, Logger } from '@nestjs/common';
import { ErrorCode, type SubscribeAck, SubscribeRequest, describeIssues, getDeployment } from '@flightdeck/contracts';
import { Bus } from '@flightdeck/messaging';
import { LiveFeeds } from './live-feeds.service';
import { type FollowerSink, LiveFollower } from './live-follower';
import { LIVE_SETTINGS, type LiveSettings } from './live.settings';
import { LogHistory } from './log-history';

const GONE: SubscribeAck = { ok: false, error: { code: ErrorCode.ServiceUnavailable, message: 'the connection closed' } };

export interface SubscribeOutcome {
  ack: SubscribeAck;
  /** call once the ack is on its way: lines and events follow it, never precede it */
  start?: () => void;
}

// Which deployments each connected client follows; a client follows a deployment at most once
// (subscribing again replaces the earlier subscription, e.g. to resume from another seq).
@Injectable()
export class LiveSubscriptions {
  private readonly logger = new Logger(LiveSubscriptions.name);
  private readonly bySocket = new Map<string, Map<string, LiveFollower>>();

  constructor(
    private readonly bus: Bus,
    private readonly feeds: LiveFeeds,
    private readonly history: LogHistory,
    @Inject(LIVE_SETTINGS) private readonly settings: LiveSettings,
  ) {}

  connect(clientId: string): void {
    this.bySocket.set(clientId, new Map());
  }

  // `mayRead`: whether the connection's caller may see the deployment's project; one it may not
  // see is answered as a deployment that does not exist.
  async subscribe(clientId: string, raw: unknown, sink: FollowerSink, mayRead: (projectId: string) => Promise<boolean>): Promise<SubscribeOutcome> {
    const parsed = SubscribeRequest.safeParse(raw);
    if (!parsed.success) {
      const { message, fields } = describeIssues(parsed.error);
      return { ack: { ok: false, error: { code: ErrorCode.InvalidInput, message, details: { fields } } } };
    }
    const { deploymentId, afterSeq, level, step, source } = parsed.data;
    const before = this.bySocket.get(clientId);
    if (!before) return { ack: GONE };
    if (!before.has(deploymentId) && before.size >= this.settings.maxSubscriptionsPerSocket) {
      return {
        ack: { ok: false, error: { code: ErrorCode.RateLimited, message: `at most ${this.settings.maxSubscriptionsPerSocket} deployments per connection` } },
      };
    }
    const found = await this.bus.request(getDeployment, { deploymentId });
    if (!found.ok) return { ack: { ok: false, error: found.error } };
    if (!(await mayRead(found.data.projectId))) {
      return { ack: { ok: false, error: { code: ErrorCode.DeploymentNotFound, message: `deployment ${deploymentId} not found` } } };
    }
    // the client may have gone while we asked
    const mine = this.bySocket.get(clientId);
    if (!mine) return { ack: GONE };

    this.unsubscribe(clientId, deploymentId);
    const filter = Object.fromEntries(Object.entries({ level, step, source }).filter(([, v]) => v !== undefined));
    const follower = new LiveFollower(deploymentId, afterSeq, filter, found.data, sink, this.history, this.settings, (f) =>
      this.forget(clientId, f),
    );
    mine.set(deploymentId, follower);
    try {
      await this.feeds.follow(found.data, follower);
    } catch (e) {
      this.forget(clientId, follower);
      this.logger.error({ deploymentId, err: (e as Error).message }, 'could not follow deployment');
      return { ack: { ok: false, error: { code: ErrorCode.ServiceUnavailable, message: 'the live feed is unavailable, try again' } } };
    }
    if (!follower.isActive) return { ack: { ok: false, error: { code: ErrorCode.ServiceUnavailable, message: 'subscription replaced' } } };
    return { ack: { ok: true, deployment: found.data }, start: () => follower.start() };
  }

  unsubscribe(clientId: string, deploymentId: string): void {
    const follower = this.bySocket.get(clientId)?.get(deploymentId);
    if (follower) this.forget(clientId, follower);
  }

  disconnect(clientId: string): void {
    for (const follower of [...(this.bySocket.get(clientId)?.values() ?? [])]) this.forget(clientId, follower);
    this.bySocket.delete(clientId);
  }

  private forget(clientId: string, follower: LiveFollower): void {
    this.feeds.unfollow(follower);
    const mine = this.bySocket.get(clientId);
    if (mine?.get(follower.deploymentId) === follower) mine.delete(follower.deploymentId);
  }
}

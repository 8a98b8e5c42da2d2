import { Inject, Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import type { NatsConnection } from 'nats';
import { type Deployment, isTerminal } from '@flightdeck/contracts';
import { NATS_CONNECTION } from '@flightdeck/messaging';
import { DeploymentFeed } from './deployment-feed';
import { LiveBroadcast } from './live-broadcast';
import type { LiveFollower } from './live-follower';
import { LIVE_SETTINGS, type LiveSettings } from './live.settings';
import { LogHistory } from './log-history';
import { FinishedLog } from './log-source';

// The feeds of this gateway instance, one per followed deployment: created by the first follower,
// closed when the last one leaves (after a short linger, unless the log has ended).
@Injectable()
export class LiveFeeds implements BeforeApplicationShutdown {
  private readonly logger = new Logger(LiveFeeds.name);
  private readonly feeds = new Map<string, { feed: DeploymentFeed; ready: Promise<void> }>();
  private readonly lingering = new Map<string, NodeJS.Timeout>();
  private readonly ofFollower = new WeakMap<LiveFollower, DeploymentFeed>();

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    private readonly history: LogHistory,
    @Inject(LIVE_SETTINGS) private readonly settings: LiveSettings,
    private readonly broadcast: LiveBroadcast,
  ) {}

  /** how many deployments this instance follows on the bus */
  get size(): number {
    return this.feeds.size;
  }

  /** attaches the follower to the deployment's feed, or to its stored log once it has finished */
  async follow(deployment: Deployment, follower: LiveFollower): Promise<void> {
    let entry = this.feeds.get(deployment.id);
    // a succeeded deployment's release goes on printing: its runtime lines are followed live
    const runtimeGoesOn = follower.followsRuntime && deployment.status === 'succeeded';
    if (!entry && isTerminal(deployment.status) && !runtimeGoesOn) {
      follower.attach(new FinishedLog(deployment));
      return;
    }
    if (!entry) {
      const feed = new DeploymentFeed(deployment, this.nc.jetstream(), this.history, this.settings, this.broadcast);
      entry = { feed, ready: feed.start() };
      this.feeds.set(deployment.id, entry);
      entry.ready.catch((e) => {
        this.logger.error({ deploymentId: deployment.id, err: (e as Error).message }, 'feed failed to start');
        void this.drop(feed);
      });
    }
    clearTimeout(this.lingering.get(deployment.id));
    this.lingering.delete(deployment.id);
    const { feed, ready } = entry;
    feed.observe(deployment);
    feed.add(follower);
    this.ofFollower.set(follower, feed);
    try {
      await ready;
    } catch (e) {
      this.unfollow(follower);
      throw e;
    }
  }

  unfollow(follower: LiveFollower): void {
    follower.stop();
    const feed = this.ofFollower.get(follower);
    if (!feed) return;
    this.ofFollower.delete(follower);
    feed.remove(follower);
    if (feed.followerCount > 0 || this.feeds.get(feed.id)?.feed !== feed) return;
    if (feed.finalSeq !== undefined) {
      void this.drop(feed);
      return;
    }
    this.lingering.set(
      feed.id,
      setTimeout(() => {
        this.lingering.delete(feed.id);
        if (feed.followerCount === 0) void this.drop(feed);
      }, this.settings.lingerMs),
    );
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.lingering.forEach((t) => clearTimeout(t));
    this.lingering.clear();
    await Promise.all([...this.feeds.values()].map(({ feed }) => this.drop(feed)));
  }

  private async drop(feed: DeploymentFeed): Promise<void> {
    if (this.feeds.get(feed.id)?.feed === feed) this.feeds.delete(feed.id);
    await feed.close();
  }
}

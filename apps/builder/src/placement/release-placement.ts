import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import type { NatsConnection } from 'nats';
import { type EdgeRouteKind, edgeRouteChanged } from '@flightdeck/contracts';
import { NATS_CONNECTION, encodeEvent } from '@flightdeck/messaging';
import { BUILDER_INSTANCE, type BuilderInstance, heartbeatEveryMs } from './builder-instance';
import { InstancesRepository, type TakenOver } from './instances.repository';

/** what the internal provider does when releases come to it or leave it */
export interface PlacementHandlers {
  /** a dead builder's environments and releases are now this one's: serve them */
  adopt(taken: TakenOver): Promise<string[]>;
  /** another builder serves the label now: stop serving it here (drained) */
  handOff(label: string): Promise<void>;
}

// Where each release runs. A release runs on one builder: the one that deployed it, or the one that
// took it over when that builder stopped heartbeating. Every replica heartbeats into Postgres and,
// on each beat, takes over the routes of any replica silent past the bound (one UPDATE: exactly one
// taker per row); each label that moves is announced, so the edges and its old builder hear at once.
@Injectable()
export class ReleasePlacement {
  private readonly logger = new Logger(ReleasePlacement.name);
  private timer?: NodeJS.Timeout;
  private handlers?: PlacementHandlers;
  private beating?: Promise<void>;

  constructor(
    @Inject(BUILDER_INSTANCE) readonly instance: BuilderInstance,
    private readonly instances: InstancesRepository,
    // none: the provider runs without a bus (tested alone), its router its only edge
    @Optional() @Inject(NATS_CONNECTION) private readonly nc?: NatsConnection,
  ) {}

  /**
   * heartbeats once (so its own rows are not taken while it restores them) and takes over what
   * replicas silent past the bound left (a backup restored on another machine, a replica renamed):
   * the restore that follows serves them with its own. Then keeps beating.
   */
  async join(handlers: PlacementHandlers): Promise<void> {
    this.handlers = handlers;
    await this.instances.heartbeat(this.instance.id, this.instance.address);
    const taken = await this.instances.takeOver(this.instance.id, this.instance.deadAfterMs);
    if (taken.environments.length || taken.releases.length) {
      this.logger.warn({ environments: taken.environments.length, releases: taken.releases.length }, 'took over, at start, the releases of builders that stopped heartbeating');
    }
    this.timer = setInterval(() => {
      this.beating ??= this.beat().finally(() => (this.beating = undefined));
    }, heartbeatEveryMs(this.instance.deadAfterMs));
    this.timer.unref();
  }

  /** stops beating; `handOver`: a clean stop, the others take its releases at their next beat */
  async leave(handOver: boolean): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.beating;
    this.handlers = undefined;
    if (handOver) await this.instances.leave(this.instance.id).catch(() => undefined);
  }

  /** the label leads to this builder now (or to nothing: `served` false) */
  announce(label: string, kind: EdgeRouteKind, served = true): void {
    const data = served
      ? { label, kind, builder: this.instance.id, address: this.instance.address }
      : { label, kind, builder: null, address: null };
    if (!this.nc) return;
    try {
      this.nc.publish(edgeRouteChanged.subject, encodeEvent(edgeRouteChanged, data));
    } catch (e) {
      // the edges' next full read has it
      this.logger.warn({ label, err: (e as Error).message }, 'route change not announced');
    }
  }

  /** another builder announced a label: one this builder served moves there */
  async heard(change: { label: string; kind: EdgeRouteKind; builder: string | null }): Promise<void> {
    // null: the environment was deleted (whichever replica heard it); this one's own changes are nothing new
    if (change.kind !== 'environment' || change.builder === this.instance.id) return;
    await this.handlers?.handOff(change.label);
  }

  private async beat(): Promise<void> {
    try {
      await this.instances.heartbeat(this.instance.id, this.instance.address);
      const taken = await this.instances.takeOver(this.instance.id, this.instance.deadAfterMs);
      if (!taken.environments.length && !taken.releases.length) return;
      this.logger.warn({ environments: taken.environments.length, releases: taken.releases.length }, 'took over the releases of a builder that stopped heartbeating');
      const labels = (await this.handlers?.adopt(taken)) ?? [];
      for (const label of labels) this.announce(label, 'environment');
    } catch (e) {
      this.logger.warn({ err: (e as Error).message }, 'placement heartbeat failed');
    }
  }
}

import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { RoutedRelease } from '../edge/routed-release';
import { EnvironmentHealthRepository, type EnvironmentHealthRow, type HealthState } from './environment-health.repository';
import { probe, seconds } from './health-check';
import { PROVIDER_SETTINGS, type ProviderSettings } from './provider-settings';
import { readReleaseHealthPath } from './release-dir';
import { ReleaseProcesses } from './release-processes';
import type { ReleaseFailedError } from './release-provider';

interface Watched {
  project: string;
  environment: string;
  release: RoutedRelease;
  healthPath: string;
  health: HealthState;
  crashLooping: boolean;
  restarts: number;
  /** when the restarts of the crash-loop window happened */
  recentRestarts: number[];
  failedProbes: number;
  lastFailure: { reason: string; at: string } | null;
  /** a check or restart is under way: ticks skip it */
  busy: boolean;
}

const key = (project: string, environment: string) => `${project}\u0000${environment}`;

// Every environment's current Node release is checked every healthIntervalMs: a process that ended
// on its own, or one whose health path failed unhealthyThreshold probes in a row, is restarted after
// an exponential backoff (a failed start is restarted again, with a longer one); crashLoopRestarts restarts within crashLoopWindowMs and it is crash-looping:
// reported (warn log, health down) and no longer restarted, by this or by requests, until a deploy or
// rollback switches the environment. What it sees is kept in builder.environment_health.
@Injectable()
export class ReleaseSupervisor {
  private readonly logger = new Logger(ReleaseSupervisor.name);
  private readonly watched = new Map<string, Watched>();
  private timer?: NodeJS.Timeout;

  constructor(
    @Inject(PROVIDER_SETTINGS) private readonly settings: ProviderSettings,
    private readonly processes: ReleaseProcesses,
    private readonly store: EnvironmentHealthRepository,
  ) {}

  open(): void {
    this.timer = setInterval(() => this.tick(), this.settings.healthIntervalMs);
    this.timer.unref();
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.watched.clear();
  }

  /** the environment serves `release` from now on (deploy, rollback, builder start, reinstate): supervision starts anew */
  async watch(project: string, environment: string, release: RoutedRelease): Promise<void> {
    const previous = this.watched.get(key(project, environment));
    if (previous) this.processes.allow(previous.release.id);
    this.processes.allow(release.id);
    if (release.kind !== 'node') {
      this.watched.delete(key(project, environment));
      await this.store.remove(project, environment);
      return;
    }
    const w: Watched = {
      project,
      environment,
      release,
      healthPath: (await readReleaseHealthPath(release.dir).catch(() => undefined)) ?? this.settings.healthPath,
      health: 'healthy',
      crashLooping: false,
      restarts: 0,
      recentRestarts: [],
      failedProbes: 0,
      lastFailure: null,
      busy: false,
    };
    this.watched.set(key(project, environment), w);
    await this.save(w);
  }

  /**
   * the environment serves nothing (retired); `handedOff`: another builder replica serves it now and
   * keeps its health row, which this one must not remove
   */
  async unwatch(project: string, environment: string, opts: { handedOff?: boolean } = {}): Promise<void> {
    const w = this.watched.get(key(project, environment));
    if (w) this.processes.allow(w.release.id);
    this.watched.delete(key(project, environment));
    if (!opts.handedOff) await this.store.remove(project, environment);
  }

  async health(project: string, environment: string): Promise<EnvironmentHealthRow | undefined> {
    return this.store.find(project, environment);
  }

  private tick(): void {
    for (const w of this.watched.values()) {
      if (w.busy || w.crashLooping) continue;
      w.busy = true;
      void this.check(w)
        .catch((e) => this.logger.warn({ release: w.release.id, err: (e as Error).message }, 'a release health check failed to run'))
        .finally(() => (w.busy = false));
    }
  }

  private isCurrent(w: Watched): boolean {
    return this.watched.get(key(w.project, w.environment)) === w;
  }

  private async check(w: Watched): Promise<void> {
    const id = w.release.id;
    if (this.processes.isStarting(id)) return;
    const upstream = this.processes.runningUpstream(id);
    if (!upstream) {
      await this.restart(w, this.processes.takeCrash(id) ?? 'no process is running', 'gone');
      return;
    }
    const status = await probe(upstream.host, upstream.port, w.healthPath, this.settings.healthProbeTimeoutMs);
    if (!this.isCurrent(w)) return;
    if (status !== undefined && status < 500) {
      w.failedProbes = 0;
      if (w.health !== 'healthy') {
        w.health = 'healthy';
        await this.save(w);
      }
      return;
    }
    w.failedProbes += 1;
    const reason =
      status === undefined
        ? `health check: no answer on ${w.healthPath} within ${seconds(this.settings.healthProbeTimeoutMs)}`
        : `health check: GET ${w.healthPath} answered ${status}`;
    if (w.failedProbes >= this.settings.unhealthyThreshold) {
      await this.restart(w, `${reason} (${w.failedProbes} checks in a row)`, 'unhealthy');
    } else if (w.health === 'healthy') {
      w.health = 'degraded';
      w.lastFailure = { reason, at: new Date().toISOString() };
      await this.save(w);
    }
  }

  // Called with w busy: one restart at a time per environment. A failed start is the next
  // tick's failure (no process running), so it counts towards the crash loop.
  private async restart(w: Watched, reason: string, why: 'gone' | 'unhealthy'): Promise<void> {
    const now = Date.now();
    w.lastFailure = { reason, at: new Date(now).toISOString() };
    w.failedProbes = 0;
    w.recentRestarts = w.recentRestarts.filter((at) => at > now - this.settings.crashLoopWindowMs);
    if (w.recentRestarts.length >= this.settings.crashLoopRestarts) {
      w.crashLooping = true;
      w.health = 'down';
      this.processes.refuse(w.release.id);
      await this.processes.stop(w.release.id);
      await this.save(w);
      this.logger.warn(
        { project: w.project, environment: w.environment, release: w.release.id, restarts: w.restarts, withinMs: this.settings.crashLoopWindowMs, reason },
        'a release is crash-looping: it is not restarted again until a deploy or rollback',
      );
      return;
    }
    const backoff = Math.min(this.settings.restartBackoffMs * 2 ** w.recentRestarts.length, this.settings.restartBackoffMaxMs);
    w.recentRestarts.push(now);
    w.restarts += 1;
    w.health = 'degraded';
    await this.save(w);
    this.logger.warn({ project: w.project, environment: w.environment, release: w.release.id, reason, inMs: backoff, restarts: w.restarts }, 'restarting a release');
    // not holding the builder up when it shuts down meanwhile (the check below then finds it closed)
    await sleep(backoff, undefined, { ref: false });
    if (!this.isCurrent(w)) return;
    // a process gone may have been started again meanwhile by a request: that one is kept (joined)
    if (why === 'unhealthy') await this.processes.stop(w.release.id);
    if (!this.isCurrent(w)) return;
    try {
      await this.processes.start(w.release);
      if (!this.isCurrent(w)) return;
      w.health = 'healthy';
      await this.save(w);
      this.logger.log({ project: w.project, environment: w.environment, release: w.release.id, restarts: w.restarts }, 'release restarted');
    } catch (e) {
      // its process is gone with the failed start: restarted again, after a longer backoff
      this.processes.takeCrash(w.release.id);
      if (!this.isCurrent(w)) return;
      await this.restart(w, `restart failed: ${(e as ReleaseFailedError).reason ?? (e as Error).message}`, 'gone');
    }
  }

  private async save(w: Watched): Promise<void> {
    await this.store.save({
      project: w.project,
      environment: w.environment,
      releaseId: w.release.id,
      health: w.health,
      crashLooping: w.crashLooping,
      restarts: w.restarts,
      lastFailure: w.lastFailure,
    });
  }
}

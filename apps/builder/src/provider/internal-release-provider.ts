import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { EdgeRouter } from '../edge/edge-router';
import { RouteTable } from '../edge/route-table';
import { type RoutedRelease, appDir } from '../edge/routed-release';
import { seconds } from './health-check';
import { KeyedLock } from './keyed-lock';
import { PROVIDER_SETTINGS, type ProviderSettings } from './provider-settings';
import { Sandboxes } from '../sandbox/sandboxes';
import { homeDir, releaseDir, unpackRelease } from './release-dir';
import { checkDeploymentId, checkTarget, edgeUrl, environmentLabel, previewLabel, releaseUrls, shortId } from './release-names';
import { ReleaseProcesses } from './release-processes';
import { ReleaseSupervisor } from './release-supervisor';
import { CanaryRollout } from './canary-rollout';
import { DEFAULT_KEEP_WARM_SECONDS } from '@flightdeck/contracts';
import {
  type ReleaseEnvironment,
  ReleaseFailedError,
  type ReleaseLog,
  ReleaseSupersededError,
  type ReleaseProvider,
  type ReleaseSpec,
  type ReleaseTarget,
  type ReleaseUrls,
} from './release-provider';
import { type ReleaseRow, ReleasesRepository } from './releases.repository';
import { ReleasePlacement } from '../placement/release-placement';
import type { TakenOver } from '../placement/instances.repository';

const releaseOf = (row: ReleaseRow): RoutedRelease => ({
  id: row.releaseId,
  project: row.project,
  kind: row.kind,
  dir: row.dir,
  startCommand: row.startCommand ?? undefined,
});

const canceled = () => new ReleaseFailedError('the release was canceled', 'canceled before traffic was switched');

/** another provider's release (its container) as the edge routes to it: nothing of it is on this host */
const upstreamRelease = (route: { project: string; releaseId: string; upstream: string }): RoutedRelease => ({
  id: route.releaseId,
  project: route.project,
  kind: 'node',
  dir: '',
  upstream: route.upstream,
});

// Releases on this machine: unpack into a release dir, start (Node) or serve as files (static),
// health-check, and only then switch the environment's route, in Postgres and in the edge's route
// table. Old releases stay on disk (keptReleases per environment) for rollback and their preview
// URLs; their processes are stopped and started again on the first request to a preview.
@Injectable()
export class InternalReleaseProvider implements ReleaseProvider, OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(InternalReleaseProvider.name);
  private readonly environmentLock = new KeyedLock();
  /** releases a deploy or rollback is bringing up: never evicted, never pruned */
  private readonly inFlight = new Map<string, number>();
  /** releases switched away from that still answer what they were sent: the token of their latest drain */
  private readonly draining = new Map<string, symbol>();
  /** environment label → its names, for what is served here */
  private readonly served = new Map<string, { project: string; environment: string }>();
  private closing = false;

  constructor(
    @Inject(PROVIDER_SETTINGS) private readonly settings: ProviderSettings,
    private readonly routes: RouteTable,
    private readonly processes: ReleaseProcesses,
    private readonly releases: ReleasesRepository,
    private readonly edge: EdgeRouter,
    private readonly sandboxes: Sandboxes,
    private readonly supervisor: ReleaseSupervisor,
    private readonly canary: CanaryRollout,
    private readonly placement: ReleasePlacement,
  ) {}

  // "Releases are restarted when the builder restarts": routes come back from Postgres before
  // the edge listens; the current Node releases start in the background (a request that comes
  // first waits for the same start).
  async onModuleInit(): Promise<void> {
    this.closing = false;
    this.processes.open((id) => this.routes.isCurrent(id) || this.inFlight.has(id) || this.draining.has(id));
    await this.placement.join({ adopt: (taken) => this.adopt(taken), handOff: (label) => this.handOff(label) });
    const current = await this.restoreRoutes();
    await this.edge.listen(this.settings.routerPort, this.settings.edgeHost);
    this.startCurrent(current, 'restarted');
    // once their starts are under way: a check does not take a release still starting for a crashed one
    this.supervisor.open();
  }

  async onModuleDestroy(): Promise<void> {
    this.closing = true;
    // a clean stop: the other replicas take its releases over at their next heartbeat
    await this.placement.leave(true);
    this.supervisor.close();
    await this.edge.close();
    await this.processes.stopAll();
    this.routes.clear();
  }

  async deploy(spec: ReleaseSpec, log: ReleaseLog, signal: AbortSignal): Promise<ReleaseUrls> {
    checkTarget(spec);
    if (spec.kind === 'node' && !spec.startCommand?.length) {
      throw new ReleaseFailedError('the release cannot be started', 'a Node release needs a start command');
    }
    const release: RoutedRelease = {
      id: spec.deploymentId,
      project: spec.projectName,
      kind: spec.kind,
      dir: releaseDir(this.settings.releasesDir, spec.projectName, spec.environmentName, spec.deploymentId),
      startCommand: spec.kind === 'node' ? spec.startCommand : undefined,
    };
    return this.holding(release.id, async () => {
      if (signal.aborted) throw canceled();
      // a later attempt of the same deployment replaces what an earlier one left
      await this.processes.stop(release.id);
      log(`Unpacking the artifact into ${release.dir}`);
      try {
        const { skippedLinks } = await unpackRelease({
          artifactPath: spec.artifactPath,
          dir: release.dir,
          kind: spec.kind,
          env: spec.kind === 'node' ? spec.env : undefined,
          secrets: spec.kind === 'node' ? spec.secrets : undefined,
          limits: spec.kind === 'node' ? spec.limits : undefined,
          healthCheckPath: spec.kind === 'node' ? spec.healthCheckPath : undefined,
          nodeRuntimeDir: spec.kind === 'node' ? spec.nodeRuntimeDir : undefined,
        });
        if (skippedLinks) log(`Skipped ${skippedLinks} link(s): a static site is served as plain files only`, 'warn');
        // the process runs as the project's user: its app and home are its own, env.json is not
        if (spec.kind === 'node') await this.sandboxes.handOver([appDir(release), homeDir(release.dir)], await this.sandboxes.userFor(spec.projectName));
      } catch (e) {
        throw new ReleaseFailedError('the artifact could not be unpacked', (e as Error).message);
      }
      try {
        await this.bringUp(release, log, signal);
        await this.takeEnvironment(spec, log, signal);
        await this.canaryFirst(spec, release, log, signal);
        return await this.switchTo(spec, release, log, signal);
      } catch (e) {
        // a release that never served stays neither running nor on disk (its env file included)
        if (!this.routes.isCurrent(release.id)) {
          await this.processes.stop(release.id);
          this.routes.removeRelease(release.id);
          await rm(release.dir, { recursive: true, force: true });
          log('The previous release keeps serving', 'warn');
        }
        throw e;
      }
    });
  }

  async rollback(target: ReleaseTarget & { toDeploymentId: string }, log: ReleaseLog, signal: AbortSignal): Promise<ReleaseUrls> {
    checkTarget(target);
    checkDeploymentId(target.toDeploymentId, 'rollback target');
    const short = shortId(target.toDeploymentId);
    const row = await this.releases.find(target.toDeploymentId);
    if (!row) {
      throw new ReleaseFailedError(`deployment ${short} has no release to roll back to`, 'it was never released here, or its release was removed');
    }
    if (row.project !== target.projectName || row.environment !== target.environmentName) {
      throw new ReleaseFailedError(`deployment ${short} belongs to another environment`, `it was released to ${row.project}/${row.environment}`);
    }
    const release = releaseOf(row);
    if (!existsSync(appDir(release))) {
      throw new ReleaseFailedError(`the release of deployment ${short} is no longer on disk`, `${release.dir} is gone; deploy that commit again`);
    }
    return this.holding(release.id, async () => {
      log(`Rolling back to the release of deployment ${shortId(release.id)} in ${release.dir}: no unpack, no build`);
      try {
        await this.bringUp(release, log, signal);
        return await this.switchTo(target, release, log, signal);
      } catch (e) {
        if (!this.routes.isCurrent(release.id)) await this.processes.stop(release.id);
        log('The previous release keeps serving', 'warn');
        throw e;
      }
    });
  }

  /**
   * Another provider's release of the environment is healthy at `upstream` (http://host:port, the
   * Docker provider's container): the environment's label routes there from now on, in Postgres and
   * in the route table, owned by this builder and announced to the edges as an internal switch is.
   * A release of this builder's own it replaces drains, then stops; the provider retires its own.
   */
  async routeToUpstream(target: ReleaseTarget, upstream: string, log: ReleaseLog): Promise<ReleaseUrls> {
    checkTarget(target);
    let parsed: URL;
    try {
      parsed = new URL(upstream);
    } catch {
      throw new ReleaseFailedError('the release cannot be routed to', `${upstream.slice(0, 200)} is not a URL`);
    }
    if (parsed.protocol !== 'http:') throw new ReleaseFailedError('the release cannot be routed to', `${parsed.protocol} upstreams are not proxied (http:// only)`);
    const { projectName: project, environmentName: environment } = target;
    const label = environmentLabel(project, environment);
    const release = upstreamRelease({ project, releaseId: target.deploymentId, upstream: parsed.origin });
    return this.environmentLock.run(label, async () => {
      const previous = this.routes.environment(label);
      await this.releases.switchToUpstream(project, environment, target.deploymentId, release.upstream!, this.placement.instance.id);
      this.routes.setEnvironment(label, release);
      this.served.set(label, { project, environment });
      // its health is the provider's: a release of this builder's that served it is no longer watched
      await this.supervisor.unwatch(project, environment);
      this.placement.announce(label, 'environment');
      const url = edgeUrl(label, this.settings.edgePort);
      log(`Switched ${url} to ${release.upstream} (deployment ${shortId(target.deploymentId)})`);
      if (previous && !previous.upstream && previous.id !== release.id && this.processes.isActive(previous.id)) {
        log(`The previous release ${shortId(previous.id)} on this builder drains (up to ${seconds(this.settings.drainTimeoutMs)}), then it stops`);
        this.drainThenStop(previous.id);
      }
      return { url, previewUrl: url };
    });
  }

  // Previews of its deployments stay (history): only the environment's own URL stops serving.
  async retire({ projectName: project, environmentName: environment }: ReleaseEnvironment): Promise<void> {
    const label = environmentLabel(project, environment);
    await this.environmentLock.run(label, async () => {
      await this.releases.retire(project, environment);
      const served = this.routes.removeEnvironment(label);
      this.served.delete(label);
      await this.supervisor.unwatch(project, environment);
      if (served && !this.routes.isCurrent(served.id)) await this.processes.stop(served.id);
      // the replica serving it, should it be another, stops too; the edges forget the label
      this.placement.announce(label, 'environment', false);
      this.logger.log({ project, environment, release: served?.id }, 'environment retired');
    });
  }

  async reinstate({ projectName: project, environmentName: environment }: ReleaseEnvironment): Promise<void> {
    const label = environmentLabel(project, environment);
    const release = await this.environmentLock.run(label, async () => {
      const deploymentId = await this.releases.reinstate(project, environment, this.placement.instance.id);
      const row = deploymentId && (await this.releases.find(deploymentId));
      if (!row) return undefined;
      const served = releaseOf(row);
      if (!existsSync(appDir(served))) {
        this.logger.warn({ project, environment, release: served.id }, 'reinstated release is missing on disk');
        return undefined;
      }
      this.routes.setEnvironment(label, served);
      this.served.set(label, { project, environment });
      await this.supervisor.watch(project, environment, served);
      this.placement.announce(label, 'environment');
      return served;
    });
    this.logger.log({ project, environment, release: release?.id }, 'environment reinstated');
    // as after a restart: started now, or by the first request should this start fail
    if (release?.kind === 'node') {
      await this.processes.start(release).catch((e) =>
        this.logger.warn({ release: release.id, err: (e as ReleaseFailedError).reason ?? (e as Error).message }, 'reinstated release did not start'),
      );
    }
  }

  // A canary or blue-green deploy needs the release it starts from on this builder (the canary's
  // split and the warm previous release live in its router): an environment another replica serves
  // is taken over first, its current release started here from the shared release dir, and the
  // other replica hears the announcement and drains its copy. Rolling switches need none of it.
  private async takeEnvironment(spec: ReleaseSpec, log: ReleaseLog, signal: AbortSignal): Promise<void> {
    if (spec.strategy?.type !== 'canary' && spec.strategy?.type !== 'blue-green') return;
    const { projectName: project, environmentName: environment } = spec;
    const label = environmentLabel(project, environment);
    if (this.routes.environment(label)) return;
    const route = await this.releases.route(project, environment);
    if (!route || route.owner === this.placement.instance.id) return;
    const row = await this.releases.find(route.releaseId);
    const current = row && releaseOf(row);
    if (!current || !existsSync(appDir(current))) {
      log(`The environment's release runs on builder ${route.owner} and its files are not on this host: the ${spec.strategy.type} deploy switches at once instead`, 'warn');
      return;
    }
    log(`The environment is served by builder ${route.owner}: this builder takes it over first (release ${shortId(current.id)} started here) so that the ${spec.strategy.type} runs where the traffic is`);
    await this.holding(current.id, async () => {
      if (current.kind === 'node') await this.processes.start(current, { log, signal });
      await this.environmentLock.run(label, async () => {
        if (!(await this.releases.takeRoute(project, environment, current.id, this.placement.instance.id))) return;
        this.routes.setEnvironment(label, current);
        this.served.set(label, { project, environment });
        await this.supervisor.watch(project, environment, current);
        this.placement.announce(label, 'environment');
      });
    });
  }

  // A canary strategy with a Node release serving the environment: the new release takes its
  // steps' shares of clients first (throws when rolled back); otherwise nothing to do here.
  private async canaryFirst(spec: ReleaseSpec, release: RoutedRelease, log: ReleaseLog, signal: AbortSignal): Promise<void> {
    if (spec.strategy?.type !== 'canary' || release.kind !== 'node') return;
    const label = environmentLabel(spec.projectName, spec.environmentName);
    const current = this.routes.environment(label);
    if (!current || current.id === release.id) {
      log('Canary: the environment serves nothing yet, so the release takes every client at once');
      return;
    }
    this.routes.setPreview(previewLabel(spec.projectName, spec.deploymentId), release);
    await this.canary.run({ deploymentId: spec.deploymentId, label, release, strategy: spec.strategy, log, signal, progress: spec.onCanaryStep });
  }

  private async bringUp(release: RoutedRelease, log: ReleaseLog, signal: AbortSignal): Promise<void> {
    if (release.kind === 'static') {
      if (!existsSync(join(appDir(release), 'index.html'))) {
        throw new ReleaseFailedError('the static site cannot be served', 'it has no index.html at its root');
      }
      log('Static site: served by the edge router straight from the release directory');
      return;
    }
    await this.processes.start(release, { log, signal });
  }

  // Postgres first, then the route table; never from a newer commit to an older one (unless forced).
  private switchTo(
    target: ReleaseTarget & Pick<ReleaseSpec, 'commit' | 'force' | 'strategy'>,
    release: RoutedRelease,
    log: ReleaseLog,
    signal: AbortSignal,
  ): Promise<ReleaseUrls> {
    const { projectName: project, environmentName: environment } = target;
    const label = environmentLabel(project, environment);
    return this.environmentLock.run(label, async () => {
      if (signal.aborted) throw canceled();
      const previous = this.routes.environment(label);
      const commit = target.commit;
      if (commit && !target.force) {
        const live = await this.releases.liveCommit(project, environment);
        if (live && live !== commit.sha && (await commit.isOlderThan(live))) {
          throw new ReleaseSupersededError(
            `commit ${commit.sha.slice(0, 12)} is older than ${live.slice(0, 12)}, which ${label} already serves`,
            'superseded: a newer commit is live; deploy with force (or roll back) to serve an older one',
          );
        }
      }
      await this.releases.switchTo(
        {
          deploymentId: target.deploymentId,
          releaseId: release.id,
          project,
          environment,
          kind: release.kind,
          dir: release.dir,
          startCommand: release.startCommand ?? null,
        },
        commit?.sha ?? null,
        this.placement.instance.id,
      );
      this.routes.setEnvironment(label, release);
      this.served.set(label, { project, environment });
      this.routes.setPreview(previewLabel(project, target.deploymentId), release);
      // supervised from now on, its restarts counted anew (a crash loop of the release it replaces ends)
      await this.supervisor.watch(project, environment, release);
      // the edges route both labels here now; a replica that served the environment before drains its release
      this.placement.announce(label, 'environment');
      this.placement.announce(previewLabel(project, target.deploymentId), 'preview');
      const urls = releaseUrls(target, this.settings.edgePort);
      const of = release.id === target.deploymentId ? '' : ` (the release of deployment ${shortId(release.id)})`;
      log(`Switched ${urls.url} to deployment ${shortId(target.deploymentId)}${of}`);
      if (previous && previous.id !== release.id && this.processes.isActive(previous.id)) {
        const warmMs = target.strategy?.type === 'blue-green' ? (target.strategy.keepWarmSeconds ?? DEFAULT_KEEP_WARM_SECONDS) * 1000 : 0;
        log(
          `The previous release ${shortId(previous.id)} drains: what it was sent is answered (up to ${seconds(this.settings.drainTimeoutMs)}), ` +
            (warmMs
              ? `then it stays running ${seconds(warmMs)} (blue-green): a rollback to it is a route switch; it stays on disk for rollback`
              : 'then it stops; it stays on disk for rollback'),
        );
        this.drainThenStop(previous.id, warmMs);
      }
      await this.prune(project, environment, log).catch((e) =>
        this.logger.warn({ project, environment, err: (e as Error).message }, 'old releases were not pruned'),
      );
      return urls;
    });
  }

  // Keeps the newest keptReleases of the environment, the current one and any in use by a deploy
  // or rollback; the rest leave the disk, the database and the route table.
  private async prune(project: string, environment: string, log: ReleaseLog): Promise<void> {
    const rows = await this.releases.releasesOf(project, environment);
    const keep = new Set(rows.slice(0, this.settings.keptReleases).map((r) => r.releaseId));
    const current = this.routes.environment(environmentLabel(project, environment));
    if (current) keep.add(current.id);
    for (const id of this.draining.keys()) keep.add(id);
    const drop = rows.filter((r) => !keep.has(r.releaseId) && !this.inFlight.has(r.releaseId));
    for (const row of drop) {
      await this.processes.stop(row.releaseId);
      this.routes.removeRelease(row.releaseId);
      this.edge.forgetFiles(releaseOf(row));
      await this.releases.remove(row.releaseId);
      await rm(row.dir, { recursive: true, force: true });
    }
    if (drop.length) {
      log(`Removed ${drop.length} old release(s) from disk; the last ${this.settings.keptReleases} stay for rollback`);
    }
  }

  // The route no longer leads to the release, but requests sent to it before the switch are still
  // being answered and WebSockets may be open: it is stopped once they are done, or after the drain
  // time (its WebSockets closed). A switch back to it meanwhile (a rollback) keeps it running warm.
  // Blue-green keeps it running warmMs from the switch (drained meanwhile), then the same.
  private drainThenStop(releaseId: string, warmMs = 0): void {
    const token = Symbol(releaseId);
    this.draining.set(releaseId, token);
    const started = Date.now();
    void this.edge.drained(releaseId, this.settings.drainTimeoutMs).then(async (drained) => {
      const warmLeft = started + warmMs - Date.now();
      if (warmLeft > 0 && this.draining.get(releaseId) === token) await new Promise((r) => setTimeout(r, warmLeft).unref());
      // a later switch away from it drains it anew; the release may be current again
      if (this.draining.get(releaseId) !== token) return;
      this.draining.delete(releaseId);
      if (this.closing || this.routes.isCurrent(releaseId) || this.inFlight.has(releaseId)) return;
      const closed = drained ? 0 : this.edge.closeUpgrades(releaseId);
      const left = this.edge.inFlight(releaseId).requests;
      // checked and stopped in one tick: nothing switches back to it in between
      const stopped = this.processes.stop(releaseId);
      this.logger.log({ release: releaseId, drainedMs: Date.now() - started, drained, closedWebSockets: closed, requestsCut: left }, 'previous release drained and stopped');
      await stopped;
    }).catch((e) => this.logger.warn({ release: releaseId, err: (e as Error).message }, 'a drained release did not stop cleanly'));
  }

  private startCurrent(current: RoutedRelease[], what: string): void {
    for (const release of current) {
      if (release.kind !== 'node') continue;
      this.processes
        .start(release)
        .then(() => this.logger.log({ release: release.id }, `current release ${what}`))
        .catch((e) => this.logger.warn({ release: release.id, err: (e as ReleaseFailedError).reason ?? (e as Error).message }, `current release did not start (${what})`));
    }
  }

  // Another replica serves the environment now (it deployed or rolled back there, or the
  // environment was deleted): this one stops serving it, its release drained first.
  private async handOff(label: string): Promise<void> {
    await this.environmentLock.run(label, async () => {
      const served = this.routes.environment(label);
      const names = this.served.get(label);
      if (!served) return;
      this.routes.removeEnvironment(label);
      this.served.delete(label);
      if (names) await this.supervisor.unwatch(names.project, names.environment, { handedOff: true });
      this.logger.log({ label, release: served.id }, 'environment handed off to another builder');
      if (this.processes.isActive(served.id)) this.drainThenStop(served.id);
    });
  }

  // A dead replica's environments and releases, now this one's: served from the release dirs
  // (a shared data dir; a release whose dir this host lacks is reported, not served).
  private async adopt(taken: TakenOver): Promise<string[]> {
    const labels: string[] = [];
    const started: RoutedRelease[] = [];
    for (const id of taken.releases) {
      const row = await this.releases.find(id);
      if (!row) continue;
      const release = releaseOf(row);
      if (!existsSync(appDir(release))) {
        this.logger.warn({ deployment: id, dir: release.dir }, 'taken-over release is missing on this host; its preview is not served');
        continue;
      }
      this.routes.setPreview(previewLabel(row.project, row.deploymentId), release);
      this.placement.announce(previewLabel(row.project, row.deploymentId), 'preview');
    }
    for (const route of taken.environments) {
      const label = environmentLabel(route.project, route.environment);
      if (route.upstream) {
        const upstream = route.upstream;
        await this.environmentLock.run(label, async () => {
          this.routes.setEnvironment(label, upstreamRelease({ project: route.project, releaseId: route.releaseId, upstream }));
          this.served.set(label, { project: route.project, environment: route.environment });
        });
        labels.push(label);
        continue;
      }
      const row = await this.releases.find(route.releaseId);
      const release = row && releaseOf(row);
      if (!release || !existsSync(appDir(release))) {
        this.logger.warn({ project: route.project, environment: route.environment, release: route.releaseId }, 'taken-over environment\'s release is missing on this host');
        continue;
      }
      await this.environmentLock.run(label, async () => {
        this.routes.setEnvironment(label, release);
        this.served.set(label, { project: route.project, environment: route.environment });
        await this.supervisor.watch(route.project, route.environment, release);
      });
      started.push(release);
      labels.push(label);
    }
    this.startCurrent(started, 'taken over');
    return labels;
  }

  private async restoreRoutes(): Promise<RoutedRelease[]> {
    const rows = await this.releases.all(this.placement.instance.id);
    const onDisk = new Map<string, RoutedRelease>();
    for (const row of rows) {
      const release = releaseOf(row);
      if (!existsSync(appDir(release))) {
        this.logger.warn({ deployment: row.deploymentId, dir: row.dir }, 'release dir is missing; its preview is not served');
        continue;
      }
      onDisk.set(release.id, release);
      this.routes.setPreview(previewLabel(row.project, row.deploymentId), release);
    }
    const current: RoutedRelease[] = [];
    for (const route of await this.releases.routes(this.placement.instance.id)) {
      if (route.upstream) {
        this.routes.setEnvironment(environmentLabel(route.project, route.environment), upstreamRelease({ project: route.project, releaseId: route.releaseId, upstream: route.upstream }));
        this.served.set(environmentLabel(route.project, route.environment), { project: route.project, environment: route.environment });
        continue;
      }
      const release = onDisk.get(route.releaseId);
      if (!release) {
        this.logger.warn({ project: route.project, environment: route.environment, release: route.releaseId }, 'current release is missing on disk');
        continue;
      }
      this.routes.setEnvironment(environmentLabel(route.project, route.environment), release);
      this.served.set(environmentLabel(route.project, route.environment), { project: route.project, environment: route.environment });
      await this.supervisor.watch(route.project, route.environment, release);
      current.push(release);
    }
    this.logger.log({ environments: current.length, releases: onDisk.size }, 'routes restored');
    return current;
  }

  private async holding<T>(releaseId: string, task: () => Promise<T>): Promise<T> {
    this.inFlight.set(releaseId, (this.inFlight.get(releaseId) ?? 0) + 1);
    try {
      return await task();
    } finally {
      const n = (this.inFlight.get(releaseId) ?? 1) - 1;
      if (n > 0) this.inFlight.set(releaseId, n);
      else this.inFlight.delete(releaseId);
    }
  }
}

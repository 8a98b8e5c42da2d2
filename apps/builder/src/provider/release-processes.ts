import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { type EdgeUpstreams, type Upstream, UpstreamRefusedError } from '../edge/edge-upstreams';
import { type RoutedRelease, appDir } from '../edge/routed-release';
import { describeLimits } from '../sandbox/resource-limits';
import { NODE_RUNTIME_VIEW } from '../build/build-environment';
import { seconds, waitUntilHealthy } from './health-check';
import { freePort } from '@flightdeck/runtime';
import { PROVIDER_SETTINGS, type ProviderSettings } from './provider-settings';
import { Sandboxes } from '../sandbox/sandboxes';
import { RuntimeLogs } from '../logs/runtime-logs';
import { homeDir, readReleaseEnv, readReleaseHealthPath, readReleaseLimits, readReleaseNodeRuntime, readReleaseSecrets } from './release-dir';
import { ReleaseFailedError, type ReleaseLog } from './release-provider';
import { ReleaseProcess } from './release-process';

interface Running {
  process: ReleaseProcess;
  upstream: Upstream;
  lastUsedAt: number;
}

export interface StartOptions {
  /** the deploying deployment's log: the process's output and what happens to it */
  log?: ReleaseLog;
  signal?: AbortSignal;
}

const IDLE_SWEEP_MS = 30_000;

// The Node processes of releases, one per release at most, started on demand: by a deploy or
// rollback (with its log), at builder start for the current releases, and by the edge on the first
// request to a release that is not running (a preview of an earlier deployment). Releases no
// environment serves are stopped when idle, and at most maxPreviewProcesses of them run at once.
@Injectable()
export class ReleaseProcesses implements EdgeUpstreams {
  private readonly logger = new Logger(ReleaseProcesses.name);
  private readonly running = new Map<string, Running>();
  private readonly starting = new Map<string, Promise<Upstream>>();
  /** releases whose processes are being stopped: a start waits for that (their sandbox names are the same) */
  private readonly stopping = new Map<string, Promise<void>>();
  /** every process started and not yet gone, starting ones included */
  private readonly all = new Set<ReleaseProcess>();
  /** why a running release's process ended on its own, until the supervisor asks */
  private readonly crashes = new Map<string, string>();
  /** crash-looping current releases: a request does not start them (a deploy or rollback does) */
  private readonly refused = new Set<string>();
  private closed = false;
  private idleSweep?: NodeJS.Timeout;
  /** releases that must keep running: the current ones, and those a deploy is switching to */
  private isPinned: (releaseId: string) => boolean = () => false;

  constructor(
    @Inject(PROVIDER_SETTINGS) private readonly settings: ProviderSettings,
    private readonly sandboxes: Sandboxes,
    private readonly runtimeLogs: RuntimeLogs,
  ) {}

  open(isPinned: (releaseId: string) => boolean): void {
    this.isPinned = isPinned;
    this.closed = false;
    this.idleSweep = setInterval(() => void this.stopIdle(), IDLE_SWEEP_MS);
    this.idleSweep.unref();
  }

  upstreamFor(release: RoutedRelease): Promise<Upstream> {
    if (this.refused.has(release.id) && !this.running.has(release.id)) return Promise.reject(new UpstreamRefusedError('is crash-looping: it is not restarted until a deploy or rollback'));
    return this.start(release);
  }

  /** requests no longer start the release (it is crash-looping), until allow() */
  refuse(releaseId: string): void {
    this.refused.add(releaseId);
  }

  allow(releaseId: string): void {
    this.refused.delete(releaseId);
  }

  /** where the release answers, while its process is alive */
  runningUpstream(releaseId: string): Upstream | undefined {
    const running = this.running.get(releaseId);
    if (running && !running.process.isAlive()) {
      this.forgetCrashed(releaseId, running.process);
      return undefined;
    }
    return running?.upstream;
  }

  isStarting(releaseId: string): boolean {
    return this.starting.has(releaseId);
  }

  /** why the release's process ended on its own since last asked, if it did */
  takeCrash(releaseId: string): string | undefined {
    const reason = this.crashes.get(releaseId);
    this.crashes.delete(releaseId);
    return reason;
  }

  /** the pid of the release's running process (tests, diagnostics) */
  pidOf(releaseId: string): number | undefined {
    return this.running.get(releaseId)?.process.pid;
  }

  /** running, or being started */
  isActive(releaseId: string): boolean {
    return this.running.has(releaseId) || this.starting.has(releaseId);
  }

  /** pids of every release process alive (tests, diagnostics) */
  pids(): number[] {
    return [...this.all].map((p) => p.pid).filter((pid): pid is number => pid !== undefined);
  }

  /** resolves once the release answers its health check; an already running one at once */
  start(release: RoutedRelease, o: StartOptions = {}): Promise<Upstream> {
    if (this.closed) return Promise.reject(new ReleaseFailedError('the builder is shutting down', 'shutting down'));
    const running = this.running.get(release.id);
    // the exit of a crashed process may not have been handled yet: /proc already knows
    if (running && !running.process.isAlive()) this.forgetCrashed(release.id, running.process);
    else if (running) {
      running.lastUsedAt = Date.now();
      o.log?.(`Release ${release.id.slice(0, 8)} is already running on port ${running.upstream.port}`);
      return Promise.resolve(running.upstream);
    }
    let starting = this.starting.get(release.id);
    if (!starting) {
      starting = this.launch(release, o).finally(() => this.starting.delete(release.id));
      this.starting.set(release.id, starting);
    }
    return starting;
  }

  async stop(releaseId: string): Promise<void> {
    this.running.delete(releaseId);
    this.crashes.delete(releaseId);
    const stopping = Promise.all([...this.all].filter((p) => p.spec.releaseId === releaseId).map((p) => p.stop(this.settings.stopGraceMs))).then(() => undefined);
    this.stopping.set(releaseId, stopping);
    try {
      await stopping;
      // not while a start of it is under way (a deploy replacing an earlier attempt's process)
      if (!this.isActive(releaseId)) await this.runtimeLogs.close(releaseId);
    } finally {
      if (this.stopping.get(releaseId) === stopping) this.stopping.delete(releaseId);
    }
  }

  /** at shutdown: every process, starting ones too; none is started afterwards */
  async stopAll(): Promise<void> {
    this.closed = true;
    if (this.idleSweep) clearInterval(this.idleSweep);
    this.running.clear();
    await Promise.all([...this.all].map((p) => p.stop(this.settings.stopGraceMs)));
    // starts under way (a request's, the supervisor's) fail now and stop what they started
    await Promise.allSettled([...this.starting.values()]);
    await this.runtimeLogs.closeAll();
  }

  private async launch(release: RoutedRelease, o: StartOptions): Promise<Upstream> {
    const { log, signal } = o;
    if (!release.startCommand?.length) throw new ReleaseFailedError('the release cannot be started', 'it has no start command');
    // a drained release being stopped when a request to its preview (or a rollback) starts it again
    await this.stopping.get(release.id);
    let env: Record<string, string>;
    try {
      env = await readReleaseEnv(release.dir);
      await mkdir(homeDir(release.dir), { recursive: true, mode: 0o700 });
    } catch (e) {
      // the error names paths in the builder's data dir: for its own log only
      this.logger.warn({ release: release.id, err: (e as Error).message }, 'a release directory is incomplete');
      throw new ReleaseFailedError('the release cannot be started', 'its directory is incomplete');
    }
    const limits = (await readReleaseLimits(release.dir)) ?? this.settings.releaseLimits;
    const healthPath = (await readReleaseHealthPath(release.dir)) ?? this.settings.healthPath;
    // its env's PATH names the runtime where the build saw it: sandboxed, there it is mounted again
    const nodeRuntime = await readReleaseNodeRuntime(release.dir);
    const port = await freePort();
    log?.(`Starting \`${release.startCommand.join(' ')}\` on port ${port} (${describeLimits(limits)})`);
    // sandboxed it sees its app at /app, its home, and its project's caches read-only (the package
    // manager its build fetched); not the release dir with its env file, nor any other release
    const isolated = this.sandboxes.isolated;
    const view = isolated ? { app: '/app', home: '/home/app', cache: '/cache' } : { app: appDir(release), home: homeDir(release.dir), cache: this.cacheOf(release) };
    const sandbox = await this.sandboxes.prepare({
      name: `release-${release.id}`,
      project: release.project,
      argv: release.startCommand,
      cwd: view.app,
      env: { ...env, HOME: view.home, PORT: String(port), HOST: '127.0.0.1' },
      mounts: [
        { source: appDir(release), target: view.app, writable: true },
        { source: homeDir(release.dir), target: view.home, writable: true },
        ...(existsSync(this.cacheOf(release)) ? [{ source: this.cacheOf(release), target: view.cache }] : []),
        ...(isolated && nodeRuntime ? [{ source: nodeRuntime, target: NODE_RUNTIME_VIEW }] : []),
      ],
      limits,
    });
    // once it serves, its output is its runtime log (source runtime, masked); while a deploy or
    // rollback brings it up, that deployment's log
    const runtime = this.runtimeLogs.output(release.id, await readReleaseSecrets(release.dir));
    const proc = new ReleaseProcess({ releaseId: release.id, sandbox }, log ? (line, stream) => log(line, stream === 'stderr' ? 'warn' : 'info') : runtime);
    this.all.add(proc);
    void proc.exited.then(() => this.exited(release.id, proc));
    const onAbort = () => void proc.stop(this.settings.stopGraceMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      log?.(`Waiting for GET ${healthPath} to answer below 500 (up to ${seconds(this.settings.healthTimeoutMs)})`);
      const host = await waitUntilHealthy({
        port,
        path: healthPath,
        timeoutMs: this.settings.healthTimeoutMs,
        signal,
        failure: () => (this.closed ? 'the builder is shutting down' : (proc.failure ?? (proc.isStopping ? 'stopped' : undefined))),
      });
      if (this.closed) throw new ReleaseFailedError('the release was stopped', 'the builder is shutting down');
      const upstream = { host, port };
      this.running.set(release.id, { process: proc, upstream, lastUsedAt: Date.now() });
      log?.(`Health check passed: GET ${healthPath} answered on port ${port}`);
      this.evictPreviews();
      return upstream;
    } catch (e) {
      await proc.stop(this.settings.stopGraceMs);
      throw e;
    } finally {
      signal?.removeEventListener('abort', onAbort);
      proc.redirectOutput(runtime);
    }
  }

  private cacheOf(release: RoutedRelease): string {
    return join(this.settings.cacheDir, release.project);
  }

  // Whatever the process left behind (children still holding the port) goes with it.
  private async exited(releaseId: string, proc: ReleaseProcess) {
    this.forgetCrashed(releaseId, proc);
    await proc.stop(this.settings.stopGraceMs);
    this.all.delete(proc);
  }

  /** a running release whose process ended on its own: the next request starts it again */
  private forgetCrashed(releaseId: string, proc: ReleaseProcess) {
    if (this.running.get(releaseId)?.process !== proc) return;
    this.running.delete(releaseId);
    this.crashes.set(releaseId, proc.failure ?? 'its process is gone');
    void proc.stop(this.settings.stopGraceMs);
    this.logger.warn({ release: releaseId, reason: proc.failure ?? 'it is gone' }, 'a release process ended on its own');
  }

  private evictPreviews() {
    const previews = [...this.running].filter(([id]) => !this.isPinned(id)).sort(([, a], [, b]) => a.lastUsedAt - b.lastUsedAt);
    for (const [id] of previews.slice(0, Math.max(0, previews.length - this.settings.maxPreviewProcesses))) void this.stop(id);
  }

  private async stopIdle() {
    const idleSince = Date.now() - this.settings.previewIdleMs;
    for (const [id, r] of this.running) if (!this.isPinned(id) && r.lastUsedAt < idleSince) void this.stop(id);
  }
}

import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { BUILDER_CONFIG, type BuilderConfig } from '../config/builder.config';
import { type CgroupDriver, type LimitHit, type SandboxCgroup, detectCgroups } from './cgroups';
import { type IsolationHost, type SandboxMount, sandboxArgv } from './sandbox-command';
import { trustFileMounts, probeIsolation } from './isolation-host';
import type { ResourceLimits } from './resource-limits';
import { type SandboxUser, SandboxUsers } from './sandbox-users';

const run = promisify(execFile);

export interface SandboxRequest {
  /** unique among running sandboxes: names its cgroup */
  name: string;
  /** whose user it runs as (as root) */
  project: string;
  argv: string[];
  /** as the command sees it: inside the sandbox when isolated, the host path otherwise */
  cwd: string;
  env: Record<string, string>;
  mounts: SandboxMount[];
  limits: ResourceLimits;
}

// A sandbox about to be spawned: what to spawn, and what to ask and clean up afterwards.
export interface PreparedSandbox {
  argv: string[];
  /** the host cwd to spawn in */
  cwd: string;
  env: Record<string, string>;
  /** the cgroup's processes, whatever they did to their session or group */
  pids(): number[];
  limitHit(): LimitHit | undefined;
  /** kills whatever is left and removes the cgroup */
  dispose(): Promise<void>;
}

export class IsolationUnavailableError extends Error {}

// Every build step and every release process runs through here. Isolation is required: without
// bubblewrap the builder does not start, unless the operator opted out in so many words
// (FLIGHTDECK_ISOLATION=unsafe-none). Resource limits need cgroups; without them the builder says
// so at start and runs without limits.
/** the cgroup folder of one builder's sandboxes: stable across restarts, distinct per builder on a host (each owns a data dir or a router port) */
export const sandboxCgroupRoot = (dataDir: string, edgePort: number | string): string =>
  `flightdeck-${createHash('sha256').update(`${dataDir}:${edgePort}`).digest('hex').slice(0, 12)}`;

@Injectable()
export class Sandboxes implements OnModuleInit {
  private readonly logger = new Logger(Sandboxes.name);
  private readonly users = new SandboxUsers();
  private host?: IsolationHost;
  private cgroups?: CgroupDriver;
  private probed = false;

  constructor(@Inject(BUILDER_CONFIG) private readonly config: BuilderConfig) {}

  async onModuleInit(): Promise<void> {
    this.probe();
    await this.reapLeftovers();
  }

  /** commands see the sandbox's own paths (/workspace, /cache, /app) */
  get isolated(): boolean {
    this.probe();
    return this.host !== undefined;
  }

  /** as root: the project's own user, who must own what its sandboxes write to */
  async userFor(project: string): Promise<SandboxUser | undefined> {
    return this.host?.asRoot ? this.users.forProject(project) : undefined;
  }

  /** gives a tree the builder prepared (a checkout, a release) to the project's user */
  async handOver(paths: string[], user: SandboxUser | undefined): Promise<void> {
    if (!user || !paths.length) return;
    await run('chown', ['-R', '--no-dereference', `${user.uid}:${user.gid}`, ...paths]);
  }

  describe(): string {
    this.probe();
    const isolation = this.host
      ? `sandboxed (bubblewrap${this.host.asRoot ? ', a user per project' : ', user namespace'})`
      : 'NOT isolated (FLIGHTDECK_ISOLATION=unsafe-none)';
    const limits = this.cgroups ? `limits by cgroup v${this.cgroups.version}` : 'no resource limits (no writable cgroups)';
    return `${isolation}, ${limits}`;
  }

  async prepare(req: SandboxRequest): Promise<PreparedSandbox> {
    this.probe();
    const cgroup = this.cgroups ? await this.freshCgroup(req.name, req.limits) : undefined;
    try {
      if (!this.host) {
        return { argv: req.argv, cwd: req.cwd, env: req.env, ...this.handles(cgroup) };
      }
      const user = await this.userFor(req.project);
      const argv = sandboxArgv(this.host, {
        argv: req.argv,
        cwd: req.cwd,
        mounts: [...trustFileMounts(req.env), ...req.mounts],
        user,
        cgroupProcsFiles: cgroup?.procsFiles ?? [],
      });
      return { argv, cwd: '/', env: req.env, ...this.handles(cgroup) };
    } catch (e) {
      await cgroup?.remove();
      throw e;
    }
  }

  private handles(cgroup: SandboxCgroup | undefined): Pick<PreparedSandbox, 'pids' | 'limitHit' | 'dispose'> {
    return {
      pids: () => cgroup?.pids() ?? [],
      limitHit: () => cgroup?.limitHit(),
      dispose: async () => {
        await cgroup?.remove().catch((e) => this.logger.warn({ cgroup: cgroup.name, err: (e as Error).message }, 'cgroup not removed'));
      },
    };
  }

  // A cgroup of that name left by an earlier attempt is emptied first: one name, one sandbox.
  private async freshCgroup(name: string, limits: ResourceLimits): Promise<SandboxCgroup> {
    const stale = this.cgroups!.leftovers().find((g) => g.name === name);
    if (stale) await stale.remove();
    return this.cgroups!.create(name, limits);
  }

  // What an earlier life of this builder left running (it was killed, or the host rebooted
  // half-way) is killed before anything starts, so that no release ever runs twice.
  private async reapLeftovers(): Promise<void> {
    if (!this.cgroups) return;
    const leftovers = this.cgroups.leftovers();
    let processes = 0;
    for (const group of leftovers) {
      processes += group.pids().length;
      await group.remove();
    }
    if (leftovers.length) this.logger.warn({ sandboxes: leftovers.length, processes }, 'reaped sandboxes left by an earlier run of this builder');
  }

  private probe(): void {
    if (this.probed) return;
    this.probed = true;
    if (this.config.FLIGHTDECK_ISOLATION === 'unsafe-none') {
      this.logger.warn('FLIGHTDECK_ISOLATION=unsafe-none: builds and releases run as the builder itself and can read its secrets');
    } else {
      const probe = probeIsolation();
      if (!probe.host) {
        throw new IsolationUnavailableError(
          `builds cannot be isolated on this host: ${probe.missing}. Install what is missing, or (unsafe: builds can then read the platform's secrets) set FLIGHTDECK_ISOLATION=unsafe-none`,
        );
      }
      this.host = probe.host;
    }
    const cgroups = detectCgroups(sandboxCgroupRoot(this.config.FLIGHTDECK_DATA_DIR, this.config.FLIGHTDECK_ROUTER_PORT ?? this.config.FLIGHTDECK_EDGE_PORT));
    this.cgroups = cgroups.driver;
    if (!cgroups.driver) this.logger.warn({ why: cgroups.missing }, 'builds and releases run without memory, process and CPU limits');
    this.logger.log({ isolation: this.describe() }, 'sandboxes ready');
  }
}

import { existsSync, mkdirSync, readFileSync, readdirSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ResourceLimits } from './resource-limits';

export type LimitHit = 'memory' | 'processes';

// One sandbox's control group (in every controller it needs): the limits, the processes in it
// whatever they did to their session, group or environment, and which limit stopped them.
export interface SandboxCgroup {
  readonly name: string;
  /** the files a process writes its own pid into to join it, in every controller */
  readonly procsFiles: string[];
  pids(): number[];
  limitHit(): LimitHit | undefined;
  /** SIGKILL to every process until none is left */
  killAll(): Promise<void>;
  /** kills what is left, then removes the group */
  remove(): Promise<void>;
}

export interface CgroupDriver {
  readonly version: 1 | 2;
  /** where this builder's sandboxes live, one directory per controller (v1) or one (v2) */
  readonly roots: string[];
  create(name: string, limits: ResourceLimits): SandboxCgroup;
  /** sandboxes left under this builder's roots by an earlier life of it */
  leftovers(): SandboxCgroup[];
}

const CPU_PERIOD_US = 100_000;
// sandboxes yield the CPU to the platform under contention (the default weight is 1024 / 100)
const CPU_SHARES_V1 = 256;
const CPU_WEIGHT_V2 = 25;

const read = (file: string) => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
};
const write = (file: string, value: string | number) => writeFileSync(file, String(value));
const tryWrite = (file: string, value: string | number) => {
  try {
    write(file, value);
    return true;
  } catch {
    return false;
  }
};
const counter = (text: string, key: string) => Number(new RegExp(`^${key} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
const pidsIn = (file: string) =>
  read(file)
    .split('\n')
    .filter(Boolean)
    .map(Number);

function signalEach(pids: number[]) {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
}

async function killUntilEmpty(pids: () => number[]) {
  for (let round = 0; round < 400; round++) {
    const left = pids();
    if (!left.length) return;
    signalEach(left);
    await sleep(round < 20 ? 10 : 50);
  }
}

async function removeDirs(dirs: string[]) {
  for (const dir of dirs) {
    for (let tries = 0; existsSync(dir); tries++) {
      try {
        rmdirSync(dir);
      } catch (e) {
        // EBUSY while the last killed processes are being torn down
        if (tries > 100) throw e;
        await sleep(20);
      }
    }
  }
}

interface Mounts {
  v1: Map<string, string>;
  v2?: string;
}

// cgroup mounts from /proc/self/mounts: v1 hierarchies by controller, and the v2 one.
function cgroupMounts(): Mounts {
  const v1 = new Map<string, string>();
  let v2: string | undefined;
  for (const line of read('/proc/self/mounts').split('\n')) {
    const [, mountPoint, type, options] = line.split(' ');
    if (type === 'cgroup2') v2 ??= mountPoint;
    if (type !== 'cgroup') continue;
    for (const opt of options.split(',')) if (['memory', 'pids', 'cpu'].includes(opt)) v1.set(opt, mountPoint);
  }
  return { v1, v2 };
}

// This process's own group per controller ("4:memory:/a/b" → memory → /a/b; "0::/a" → '' → /a):
// sandboxes are created under it, so that whatever limits the builder itself has hold for them.
function ownGroups(): Map<string, string> {
  const own = new Map<string, string>();
  for (const line of read('/proc/self/cgroup').split('\n').filter(Boolean)) {
    const [, controllers, path] = line.split(':');
    for (const c of controllers.split(',')) own.set(c, path);
  }
  return own;
}

class V1Group implements SandboxCgroup {
  constructor(
    readonly name: string,
    private readonly dirs: { memory: string; pids: string; cpu: string },
  ) {}

  get procsFiles() {
    return Object.values(this.dirs).map((d) => join(d, 'cgroup.procs'));
  }

  pids() {
    return pidsIn(join(this.dirs.pids, 'cgroup.procs'));
  }

  limitHit(): LimitHit | undefined {
    const oom = read(join(this.dirs.memory, 'memory.oom_control'));
    if (counter(oom, 'oom_kill') > 0 || /^under_oom 1$/m.test(oom)) return 'memory';
    if (counter(read(join(this.dirs.pids, 'pids.events')), 'max') > 0) return 'processes';
    return undefined;
  }

  killAll() {
    return killUntilEmpty(() => [...new Set([...this.pids(), ...pidsIn(join(this.dirs.memory, 'cgroup.procs'))])]);
  }

  async remove() {
    await this.killAll();
    await removeDirs(Object.values(this.dirs));
  }
}

class V2Group implements SandboxCgroup {
  constructor(
    readonly name: string,
    private readonly dir: string,
  ) {}

  get procsFiles() {
    return [join(this.dir, 'cgroup.procs')];
  }

  pids() {
    return pidsIn(join(this.dir, 'cgroup.procs'));
  }

  limitHit(): LimitHit | undefined {
    if (counter(read(join(this.dir, 'memory.events')), 'oom_kill') > 0) return 'memory';
    if (counter(read(join(this.dir, 'pids.events')), 'max') > 0) return 'processes';
    return undefined;
  }

  async killAll() {
    // cgroup.kill (Linux 5.14) kills the whole group at once; older kernels get the loop
    tryWrite(join(this.dir, 'cgroup.kill'), 1);
    await killUntilEmpty(() => this.pids());
  }

  async remove() {
    await this.killAll();
    await removeDirs([this.dir]);
  }
}

class V1Driver implements CgroupDriver {
  readonly version = 1;
  constructor(private readonly rootByController: { memory: string; pids: string; cpu: string }) {}

  get roots() {
    return Object.values(this.rootByController);
  }

  private dirs(name: string) {
    const r = this.rootByController;
    return { memory: join(r.memory, name), pids: join(r.pids, name), cpu: join(r.cpu, name) };
  }

  create(name: string, limits: ResourceLimits): SandboxCgroup {
    const dirs = this.dirs(name);
    for (const dir of Object.values(dirs)) mkdirSync(dir, { recursive: true });
    const bytes = limits.memoryMb * 1024 * 1024;
    write(join(dirs.memory, 'memory.limit_in_bytes'), bytes);
    // with swap accounting on, swap counts too: a limit must not be escaped into swap
    tryWrite(join(dirs.memory, 'memory.memsw.limit_in_bytes'), bytes);
    write(join(dirs.pids, 'pids.max'), limits.processes);
    write(join(dirs.cpu, 'cpu.cfs_period_us'), CPU_PERIOD_US);
    write(join(dirs.cpu, 'cpu.cfs_quota_us'), Math.max(1_000, Math.round(limits.cpus * CPU_PERIOD_US)));
    tryWrite(join(dirs.cpu, 'cpu.shares'), CPU_SHARES_V1);
    return new V1Group(name, dirs);
  }

  leftovers(): SandboxCgroup[] {
    const names = new Set(this.roots.flatMap((root) => subdirs(root)));
    return [...names].map((name) => new V1Group(name, this.dirs(name)));
  }
}

class V2Driver implements CgroupDriver {
  readonly version = 2;
  constructor(private readonly root: string) {}

  get roots() {
    return [this.root];
  }

  create(name: string, limits: ResourceLimits): SandboxCgroup {
    const dir = join(this.root, name);
    mkdirSync(dir, { recursive: true });
    write(join(dir, 'memory.max'), limits.memoryMb * 1024 * 1024);
    tryWrite(join(dir, 'memory.swap.max'), 0);
    write(join(dir, 'pids.max'), limits.processes);
    write(join(dir, 'cpu.max'), `${Math.max(1_000, Math.round(limits.cpus * CPU_PERIOD_US))} ${CPU_PERIOD_US}`);
    tryWrite(join(dir, 'cpu.weight'), CPU_WEIGHT_V2);
    return new V2Group(name, dir);
  }

  leftovers(): SandboxCgroup[] {
    return subdirs(this.root).map((name) => new V2Group(name, join(this.root, name)));
  }
}

const subdirs = (dir: string) => {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
  } catch {
    return [];
  }
};

export interface CgroupProbe {
  driver?: CgroupDriver;
  /** why there is none: shown at start-up */
  missing?: string;
}

// The cgroups this builder may create sandboxes in, under its own group: v1 needs the memory, pids
// and cpu hierarchies writable; v2 needs those controllers delegated to the group this builder's
// root becomes. `rootName` is stable across restarts (from the data dir), so that a restarted
// builder finds what its earlier life left.
export function detectCgroups(rootName: string): CgroupProbe {
  const mounts = cgroupMounts();
  const own = ownGroups();
  const v1Controllers = ['memory', 'pids', 'cpu'] as const;
  if (v1Controllers.every((c) => mounts.v1.has(c))) {
    const roots = Object.fromEntries(v1Controllers.map((c) => [c, join(mounts.v1.get(c)!, own.get(c) ?? '/', rootName)])) as Record<
      (typeof v1Controllers)[number],
      string
    >;
    try {
      for (const dir of Object.values(roots)) mkdirSync(dir, { recursive: true });
      return { driver: new V1Driver(roots) };
    } catch (e) {
      return { missing: `cgroup v1 hierarchies are not writable (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})` };
    }
  }
  if (mounts.v2) {
    const root = join(mounts.v2, own.get('') ?? '/', rootName);
    try {
      mkdirSync(root, { recursive: true });
      const available = read(join(root, 'cgroup.controllers')).split(/\s+/);
      const needed = ['memory', 'pids', 'cpu'];
      if (!needed.every((c) => available.includes(c))) {
        return { missing: `cgroup v2 does not delegate ${needed.filter((c) => !available.includes(c)).join(', ')} to ${root}` };
      }
      write(join(root, 'cgroup.subtree_control'), needed.map((c) => `+${c}`).join(' '));
      return { driver: new V2Driver(root) };
    } catch (e) {
      return { missing: `cgroup v2 is not writable at ${root} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})` };
    }
  }
  return { missing: 'no cgroup hierarchy with the memory, pids and cpu controllers is mounted' };
}

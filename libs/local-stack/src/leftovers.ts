import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { type SupervisedProcess, SupervisorStatus } from '@flightdeck/contracts';

// A launcher killed outright (SIGKILL, OOM, a crash of node itself) cannot stop what it started:
// its services, nats-server and Postgres keep the ports and the data dir. The next launcher on the
// same data dir finds them in the status file the last one wrote and stops them first, in order.
// A pid is only signalled when its command line (and, for a service, its data dir) says it is ours:
// after a reboot the same numbers belong to other programs.

const read = (path: string): string | undefined => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
};

const cmdline = (pid: number) => read(`/proc/${pid}/cmdline`)?.split('\0').join(' ');

/** running, and not a zombie waiting for a parent that does not reap */
export const isRunning = (pid: number): boolean => {
  const stat = read(`/proc/${pid}/stat`);
  if (stat !== undefined) return !/^\d+ \(.*\) Z/.test(stat);
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const realpath = (path: string) => {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
};

/** whether `pid` is this data dir's process `p` (not a reused pid) */
export function isOurs(p: SupervisedProcess & { pid: number }, dataDir: string): boolean {
  const cmd = cmdline(p.pid);
  if (!cmd) return false;
  if (p.kind === 'postgres') return cmd.includes(`-D ${realpath(join(dataDir, 'postgres'))}/data`);
  if (p.kind === 'nats-server')
    // the one server's config, or a cluster node's (nats-cluster/<node>/nats-server.conf)
    return (
      cmd.includes('nats-server') &&
      (cmd.includes(join(dataDir, 'nats-server.conf')) || cmd.includes(`${join(dataDir, 'nats-cluster')}/`))
    );
  if (!cmd.includes(`apps/${p.name}/src/main.ts`)) return false;
  const environ = read(`/proc/${p.pid}/environ`)?.split('\0') ?? [];
  return environ.includes(`FLIGHTDECK_DATA_DIR=${dataDir}`);
}

const waitGone = async (pids: number[], ms: number) => {
  const deadline = Date.now() + ms;
  while (pids.some(isRunning) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  return pids.filter(isRunning);
};

const signal = (pid: number, sig: NodeJS.Signals) => {
  try {
    process.kill(pid, sig);
  } catch {
    /* gone meanwhile */
  }
};

/**
 * Stops what a dead launcher left running on this data dir (services, then nats-server, then
 * Postgres); throws when the launcher that wrote the file is still running. Returns what it stopped.
 */
export async function stopLeftovers(
  statusFile: string,
  dataDir: string,
): Promise<{ launcherPid: number; stopped: string[] } | undefined> {
  if (!existsSync(statusFile)) return undefined;
  const parsed = SupervisorStatus.safeParse(JSON.parse(read(statusFile) ?? 'null'));
  if (!parsed.success) return undefined;
  const { launcherPid, processes } = parsed.data;
  if (
    launcherPid !== process.pid &&
    isRunning(launcherPid) &&
    cmdline(launcherPid)?.includes('scripts/start.ts')
  ) {
    throw new Error(`another launcher (pid ${launcherPid}) is running on ${dataDir}: stop it first`);
  }
  const ours = processes.flatMap((p) =>
    p.pid && isRunning(p.pid) && isOurs({ ...p, pid: p.pid }, dataDir) ? [{ ...p, pid: p.pid }] : [],
  );
  const stopped: string[] = [];
  for (const kinds of [['service'], ['nats-server'], ['postgres']]) {
    const group = ours.filter((p) => kinds.includes(p.kind));
    if (!group.length) continue;
    // Postgres: SIGINT is its fast shutdown (transactions aborted, a checkpoint written)
    for (const p of group) signal(p.pid, p.kind === 'postgres' ? 'SIGINT' : 'SIGTERM');
    const left = await waitGone(
      group.map((p) => p.pid),
      15_000,
    );
    for (const pid of left) signal(pid, 'SIGKILL');
    await waitGone(left, 5_000);
    stopped.push(...group.map((p) => `${p.name} (pid ${p.pid})`));
  }
  return { launcherPid, stopped };
}

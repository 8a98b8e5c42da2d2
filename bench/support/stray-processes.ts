import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

// Processes whose working directory is under `dir` (Linux /proc; none elsewhere). The releases
// and builds a stack's builder starts run in its data dir, in process groups of their own: when a
// builder dies before it could stop them, this finds what it left behind.
export function processesUnder(dir: string): number[] {
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return [];
  }
  const prefix = dir.endsWith('/') ? dir : `${dir}/`;
  const found: number[] = [];
  for (const name of names) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      // a removed directory reads as "<path> (deleted)"
      const cwd = readlinkSync(`/proc/${name}/cwd`).replace(/ \(deleted\)$/, '');
      if (cwd !== dir && !cwd.startsWith(prefix)) continue;
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
      if (state !== 'Z' && state !== 'X') found.push(Number(name));
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}

// Synchronous, so that it also works in a process 'exit' handler.
export function killProcessesUnder(dir: string): number[] {
  const pids = processesUnder(dir);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  return pids;
}

import { readdirSync, readFileSync } from 'node:fs';

// CPU seconds (user + system) spent so far by processes, read from /proc (Linux): to tell which
// process of a pipeline is the busy one. Clock ticks are 100 per second on Linux.
const TICKS_PER_SECOND = 100;

interface ProcStat {
  pid: number;
  ppid: number;
  ticks: number;
}

const readStat = (pid: number): ProcStat | undefined => {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command name may hold spaces and parentheses: fields start after the last ')'
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { pid, ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return undefined;
  }
};

/** a process and its direct children (Postgres: the postmaster and its backends) */
export function cpuSecondsWithChildren(pid: number): number {
  let ticks = readStat(pid)?.ticks ?? 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const s = readStat(Number(entry));
    if (s && s.ppid === pid) ticks += s.ticks;
  }
  return ticks / TICKS_PER_SECOND;
}

export const cpuSeconds = (pid: number): number => (readStat(pid)?.ticks ?? 0) / TICKS_PER_SECOND;

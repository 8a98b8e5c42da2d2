import { setTimeout as sleep } from 'node:timers/promises';
import { readFileSync, readdirSync } from 'node:fs';

interface ProcInfo {
  pid: number;
  ppid: number;
  pgrp: number;
}

const HAS_PROC = (() => {
  try {
    readdirSync('/proc/self');
    return true;
  } catch {
    return false;
  }
})();

// Living (not zombie) processes from /proc. A zombie has exited already: whoever adopted it
// reaps it; it holds no resources worth waiting for.
function livingProcesses(): ProcInfo[] {
  const out: ProcInfo[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // the command name may hold spaces and parentheses: the fields follow the last ')'
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] === 'Z' || fields[0] === 'X') continue;
      out.push({ pid: Number(name), ppid: Number(fields[1]), pgrp: Number(fields[2]) });
    } catch {
      // gone between readdir and read
    }
  }
  return out;
}

// Every process a step starts carries this variable (with a value of its own) in its environment,
// and children inherit it: a daemon that left the group and lost its parent is still found by it
// (the "cookie" Jenkins' process tree killer uses).
export const PROCESS_TAG_VARIABLE = 'BUILD_PROCESS_TAG';

function carriesTag(pid: number, tag: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(`${PROCESS_TAG_VARIABLE}=${tag}`);
  } catch {
    return false;
  }
}

// The processes a step started: its process group, descendants that moved to a group or session
// of their own, and (with its tag) whatever still carries the step's tag.
export function processTree(pgid: number, tag?: string): number[] {
  if (!HAS_PROC) {
    try {
      process.kill(-pgid, 0);
      return [-pgid];
    } catch {
      return [];
    }
  }
  const all = livingProcesses().filter((p) => p.pid !== process.pid);
  const tree = new Set(all.filter((p) => p.pgrp === pgid || p.pid === pgid || (tag && carriesTag(p.pid, tag))).map((p) => p.pid));
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of all) {
      if (!tree.has(p.pid) && tree.has(p.ppid)) {
        tree.add(p.pid);
        grew = true;
      }
    }
  }
  return [...tree];
}

export function isAlive(pid: number): boolean {
  if (HAS_PROC) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
      return state !== 'Z' && state !== 'X';
    } catch {
      return false;
    }
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function signalAll(pgid: number, pids: number[], signal: NodeJS.Signals) {
  const targets = new Set([-pgid, ...pids]);
  for (const pid of targets) {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}


// SIGTERM to the whole tree, SIGKILL to whatever is left after the grace period, then wait until
// nothing is left: only then may a step (or a cancel) be reported as over.
export async function terminateProcessTree(pgid: number, tag?: string, graceMs = 3_000): Promise<void> {
  let pids = processTree(pgid, tag);
  if (!pids.length) return;
  signalAll(pgid, pids, 'SIGTERM');
  const killAt = Date.now() + graceMs;
  while (Date.now() < killAt) {
    await sleep(50);
    pids = processTree(pgid, tag);
    if (!pids.length) return;
  }
  // a tree that keeps forking is re-read and killed again until it is empty
  for (let rounds = 0; pids.length && rounds < 200; rounds++) {
    signalAll(pgid, pids, 'SIGKILL');
    await sleep(25);
    pids = processTree(pgid, tag);
  }
}

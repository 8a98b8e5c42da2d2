import type { ChildProcess } from 'node:child_process';

export interface ExitInfo {
  code: number | null;
  signal: string | null;
}

// Resolves with how the child ended (at once if it already has).
export const exitOf = (child: ChildProcess): Promise<ExitInfo> =>
  hasExited(child)
    ? Promise.resolve({ code: child.exitCode, signal: child.signalCode })
    : new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));

export const hasExited = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null;

// Resolves true when the child has exited, false after `ms`. The timer is cleared on exit, so a
// stopped server never holds jest's event loop open for the rest of the grace period.
export const waitForExit = (child: ChildProcess, ms: number): Promise<boolean> => {
  if (hasExited(child)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const onExit = () => {
      clearTimeout(timer);
      resolve(true);
    };
    const timer = setTimeout(() => {
      child.removeListener('exit', onExit);
      resolve(hasExited(child));
    }, ms);
    child.once('exit', onExit);
  });
};

// Asks politely, then SIGKILLs after the grace period; resolves once the process is gone (its port free).
export async function stopChild(child: ChildProcess, signal: NodeJS.Signals, graceMs: number): Promise<void> {
  if (hasExited(child)) return;
  child.kill(signal);
  if (await waitForExit(child, graceMs)) return;
  child.kill('SIGKILL');
  await waitForExit(child, 5_000);
}

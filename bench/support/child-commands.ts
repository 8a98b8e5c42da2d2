import { type ChildProcess, spawn } from 'node:child_process';
import { waitForExit } from '@flightdeck/local-stack';

const TAIL_CHARS = 2_000;

export interface CommandSpec {
  argv: string[];
  cwd?: string;
  env: Record<string, string>;
  signal: AbortSignal;
}

// Runs a command to its end in a process group of its own (killed whole on abort); rejects with
// the end of its output when it fails.
export function runCommand(spec: CommandSpec): Promise<void> {
  return new Promise((resolve, reject) => {
    spec.signal.throwIfAborted();
    const child = spawn(spec.argv[0], spec.argv.slice(1), { cwd: spec.cwd, env: spec.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let tail = '';
    const keep = (c: Buffer) => (tail = (tail + c.toString()).slice(-TAIL_CHARS));
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    const onAbort = () => killGroup(child, 'SIGKILL');
    spec.signal.addEventListener('abort', onAbort, { once: true });
    child.once('error', (e) => {
      spec.signal.removeEventListener('abort', onAbort);
      reject(new Error(`${spec.argv.join(' ')}: ${e.message}`));
    });
    child.once('close', (code, sig) => {
      spec.signal.removeEventListener('abort', onAbort);
      if (spec.signal.aborted) return reject(spec.signal.reason);
      if (code === 0) return resolve();
      reject(new Error(`${spec.argv.join(' ')} exited with ${code ?? sig}:\n${tail}`));
    });
  });
}

export interface LongRunning {
  child: ChildProcess;
  output(): string;
  /** SIGTERM to the group, SIGKILL after the grace period; resolves once it has exited */
  stop(graceMs?: number): Promise<void>;
}

// Starts a server in a process group of its own; killed with its group when this process exits.
export function startCommand(spec: Omit<CommandSpec, 'signal'>): LongRunning {
  const child = spawn(spec.argv[0], spec.argv.slice(1), { cwd: spec.cwd, env: spec.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let tail = '';
  const keep = (c: Buffer) => (tail = (tail + c.toString()).slice(-TAIL_CHARS));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  child.on('error', (e) => (tail += `\n${e.message}`));
  const killOnExit = () => killGroup(child, 'SIGKILL');
  process.once('exit', killOnExit);
  return {
    child,
    output: () => tail,
    stop: async (graceMs = 5_000) => {
      process.removeListener('exit', killOnExit);
      killGroup(child, 'SIGTERM');
      if (await waitForExit(child, graceMs)) {
        killGroup(child, 'SIGKILL'); // whatever else of the group is left
        return;
      }
      killGroup(child, 'SIGKILL');
      await waitForExit(child, 5_000);
    },
  };
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // the group is gone
  }
}

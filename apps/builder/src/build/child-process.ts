import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import type { OutputStream } from '../logs/build-log';
import { PROCESS_TAG_VARIABLE, terminateProcessTree } from './process-tree';

export interface ChildProcessSpec {
  argv: string[];
  cwd: string;
  /** the complete environment: nothing of the builder's own is inherited */
  env: Record<string, string>;
  stdout: OutputStream;
  stderr: OutputStream;
  signal: AbortSignal;
  /** SIGTERM → SIGKILL grace on abort */
  killGraceMs?: number;
}

export interface ChildExit {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** the abort signal fired; the process tree is gone */
  aborted: boolean;
  /** the command could not be started at all (ENOENT, EACCES) */
  spawnError?: Error;
}

// Runs one command in a process group of its own (detached), so that it and everything it starts
// can be stopped together. Resolves only when the whole tree is gone: processes the command left
// running behind it are stopped too, since a finished step must leave nothing running.
export function runChildProcess(spec: ChildProcessSpec): Promise<ChildExit> {
  if (spec.signal.aborted) return Promise.resolve({ exitCode: null, signal: null, aborted: true });
  const tag = randomUUID();
  return new Promise<ChildExit>((resolve) => {
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(spec.argv[0], spec.argv.slice(1), {
        cwd: spec.cwd,
        env: { ...spec.env, [PROCESS_TAG_VARIABLE]: tag },
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (e) {
      // spawn throws at once on a NUL in an argument or a variable, quoting the value: it becomes a
      // spawn error like any other, which the step reports by what it means
      spec.stdout.end();
      spec.stderr.end();
      return resolve({ exitCode: null, signal: null, aborted: false, spawnError: e as Error });
    }
    let stopping: Promise<void> | undefined;
    const stopTree = () => (stopping ??= child.pid ? terminateProcessTree(child.pid, tag, spec.killGraceMs) : Promise.resolve());
    const onAbort = () => void stopTree();
    spec.signal.addEventListener('abort', onAbort, { once: true });

    let open = 2;
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    let settled = false;
    const finish = async (spawnError?: Error) => {
      if (settled) return;
      settled = true;
      await stopTree();
      spec.signal.removeEventListener('abort', onAbort);
      spec.stdout.end();
      spec.stderr.end();
      resolve({ exitCode: exit?.code ?? null, signal: exit?.signal ?? null, aborted: spec.signal.aborted, spawnError });
    };
    const streamClosed = () => {
      if (--open === 0 && exit) void finish();
    };
    child.stdout!.on('data', (c: Buffer) => spec.stdout.write(c));
    child.stderr!.on('data', (c: Buffer) => spec.stderr.write(c));
    child.stdout!.once('close', streamClosed);
    child.stderr!.once('close', streamClosed);
    child.once('error', (e) => void finish(e));
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      if (open === 0) return void finish();
      // a stray process still holds the output pipes: it is stopped, and the pipes close with it
      void stopTree();
    });
  });
}

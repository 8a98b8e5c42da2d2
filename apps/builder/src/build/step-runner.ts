import { Logger } from '@nestjs/common';
import type { BuildLog, BuildStep } from '../logs/build-log';
import type { SandboxMount } from '../sandbox/sandbox-command';
import type { PreparedSandbox, Sandboxes } from '../sandbox/sandboxes';
import type { ResourceLimits } from '../sandbox/resource-limits';
import { diskUsageMb } from '../sandbox/disk-usage';
import { type ChildExit, runChildProcess } from './child-process';
import { spawnErrorForLog, spawnFailureMessage } from './spawn-failure';
import { StepAbortedError, buildFailed } from './step-errors';

export interface StepSandbox {
  /** the project whose user runs it (as root) */
  project: string;
  /** unique among running sandboxes */
  name: string;
  mounts: SandboxMount[];
  limits: ResourceLimits;
}

export interface StepCommand {
  step: BuildStep;
  argv: string[];
  /** as the command sees it */
  cwd: string;
  env: Record<string, string>;
  signal: AbortSignal;
  sandbox: StepSandbox;
  timeoutSeconds?: number;
  /** the work dir on the host and how much of the disk it may take */
  disk?: { dir: string; limitMb: number };
}

type Overrun = { kind: 'timeout'; seconds: number } | { kind: 'disk'; limitMb: number } | { kind: 'processes' };

const WATCH_MS = 500;
const DISK_EVERY = 10; // du every 10 watches (5 s): it walks the whole work dir

const logger = new Logger('StepRunner');


// Runs a command of a step in a sandbox with its output in the deployment's log; a non-zero exit
// fails the step. The step ends when every process it started is gone: at exit, at cancel, at its
// timeout, and when it overruns a limit (memory by the kernel's OOM killer in its cgroup; processes
// and disk by this watch), each with a message naming what stopped it.
export class StepRunner {
  constructor(
    private readonly log: BuildLog,
    private readonly sandboxes: Sandboxes,
  ) {}

  async run(cmd: StepCommand): Promise<void> {
    const exit = await this.exec(cmd);
    if (exit.exitCode !== 0) {
      const how = exit.exitCode !== null ? `exited with code ${exit.exitCode}` : `was killed by ${exit.signal}`;
      this.log.system(cmd.step, `${cmd.argv.join(' ')} ${how}`, 'error');
      throw buildFailed(cmd.step, `${cmd.step} failed: ${cmd.argv.join(' ')} ${how}`, exit.exitCode);
    }
  }

  /** runs to the end whatever the exit code; aborts, limits and spawn failures still throw */
  async exec(cmd: StepCommand): Promise<ChildExit> {
    this.log.system(cmd.step, `$ ${cmd.argv.join(' ')}`);
    const sandbox = await this.sandboxes.prepare({ ...cmd.sandbox, argv: cmd.argv, cwd: cmd.cwd, env: cmd.env });
    const stop = new AbortController();
    let overrun: Overrun | undefined;
    const overran = (o: Overrun) => {
      overrun ??= o;
      stop.abort();
    };
    const onAbort = () => stop.abort();
    cmd.signal.addEventListener('abort', onAbort, { once: true });
    const timer = cmd.timeoutSeconds ? setTimeout(() => overran({ kind: 'timeout', seconds: cmd.timeoutSeconds! }), cmd.timeoutSeconds * 1000) : undefined;
    const watch = this.watch(sandbox, cmd, overran);
    let exit: ChildExit;
    let limit: ReturnType<PreparedSandbox['limitHit']>;
    try {
      exit = await runChildProcess({
        argv: sandbox.argv,
        cwd: sandbox.cwd,
        env: sandbox.env,
        signal: stop.signal,
        stdout: this.log.output(cmd.step, 'stdout'),
        stderr: this.log.output(cmd.step, 'stderr'),
      });
      limit = sandbox.limitHit();
    } finally {
      clearTimeout(timer);
      clearInterval(watch);
      cmd.signal.removeEventListener('abort', onAbort);
      await sandbox.dispose();
    }
    if (cmd.signal.aborted) throw new StepAbortedError(cmd.step);
    const limits = cmd.sandbox.limits;
    const stopped = (message: string) => {
      this.log.system(cmd.step, message, 'error');
      return buildFailed(cmd.step, message, exit.exitCode);
    };
    if (overrun?.kind === 'timeout') throw stopped(`${cmd.step} exceeded its time limit of ${overrun.seconds} s and was stopped`);
    if (overrun?.kind === 'disk') throw stopped(`${cmd.step} was stopped: the work dir exceeded its disk limit of ${overrun.limitMb} MiB`);
    if (overrun?.kind === 'processes' || limit === 'processes') {
      throw stopped(`${cmd.step} was stopped: it reached the process limit of ${limits.processes} processes`);
    }
    if (limit === 'memory') throw stopped(`${cmd.step} ran out of memory: it exceeded the memory limit of ${limits.memoryMb} MiB`);
    if (exit.spawnError) {
      logger.warn({ step: cmd.step, err: spawnErrorForLog(exit.spawnError) }, 'a step command could not be started');
      throw stopped(spawnFailureMessage(cmd.argv[0], exit.spawnError));
    }
    return exit;
  }

  // A fork bomb does not exit when its forks fail: reaching the process limit stops the step.
  private watch(sandbox: PreparedSandbox, cmd: StepCommand, overran: (o: Overrun) => void): NodeJS.Timeout {
    let ticks = 0;
    let measuring = false;
    return setInterval(() => {
      if (sandbox.limitHit() === 'processes') overran({ kind: 'processes' });
      const disk = cmd.disk;
      if (!disk || ++ticks % DISK_EVERY !== 0 || measuring) return;
      measuring = true;
      void diskUsageMb(disk.dir)
        .then((mb) => {
          if (mb !== undefined && mb > disk.limitMb) overran({ kind: 'disk', limitMb: disk.limitMb });
        })
        .finally(() => (measuring = false));
    }, WATCH_MS);
  }
}

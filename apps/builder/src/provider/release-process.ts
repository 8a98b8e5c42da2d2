import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { PROCESS_TAG_VARIABLE, isAlive, terminateProcessTree } from '../build/process-tree';
import { spawnErrorForLog, spawnFailureReason } from '../build/spawn-failure';
import { LineSplitter } from '../logs/line-splitter';
import type { PreparedSandbox } from '../sandbox/sandboxes';

export interface ReleaseProcessSpec {
  releaseId: string;
  /** what to spawn, with the complete environment: nothing of the builder's own is inherited */
  sandbox: PreparedSandbox;
}

export type OutputLine = (line: string, stream: 'stdout' | 'stderr') => void;

const KEPT_LINES = 20;

const logger = new Logger('ReleaseProcess');

// One running Node release in its sandbox (see sandboxes.ts): its own process group (detached) and
// pid namespace, in a cgroup with the release's limits. Output goes to the deploying deployment's log while it deploys,
// afterwards to the release's runtime log (RuntimeLogs); the last lines are kept for a crash's reason.
export class ReleaseProcess {
  readonly tag = randomUUID();
  readonly pid: number | undefined;
  readonly exited: Promise<void>;
  private exitReason?: string;
  private stopping?: Promise<void>;
  private output?: OutputLine;
  private readonly recent: string[] = [];

  constructor(
    readonly spec: ReleaseProcessSpec,
    output?: OutputLine,
  ) {
    this.output = output;
    const { argv, cwd, env } = spec.sandbox;
    const child = spawn(argv[0], argv.slice(1), {
      cwd,
      env: { ...env, [PROCESS_TAG_VARIABLE]: this.tag },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.pid = child.pid;
    for (const stream of ['stdout', 'stderr'] as const) {
      const lines = new LineSplitter((line) => this.line(line, stream));
      child[stream].on('data', (c: Buffer) => lines.write(c));
      child[stream].once('end', () => lines.end());
    }
    this.exited = new Promise((resolve) => {
      child.once('error', (e: NodeJS.ErrnoException) => {
        logger.warn({ release: spec.releaseId, err: spawnErrorForLog(e) }, 'a release process could not be started');
        const reason = spawnFailureReason(e);
        this.exitReason ??= `could not start the release${reason ? `: ${reason}` : ''}`;
        resolve();
      });
      child.once('exit', (code, signal) => {
        const limit = spec.sandbox.limitHit();
        const over = limit === 'memory' ? ' after it exceeded its memory limit' : limit === 'processes' ? ' after it reached its process limit' : '';
        this.exitReason ??= (code !== null ? `process exited with code ${code}` : `process was killed by ${signal}`) + over;
        resolve();
      });
    });
  }

  /** why it is no longer running, once it is not */
  get failure(): string | undefined {
    return this.exitReason;
  }

  isAlive(): boolean {
    return this.exitReason === undefined && this.pid !== undefined && isAlive(this.pid);
  }

  get isStopping(): boolean {
    return this.stopping !== undefined;
  }

  get lastLines(): string[] {
    return [...this.recent];
  }

  /** output from now on goes there (the release's runtime log), or is only remembered */
  redirectOutput(output?: OutputLine): void {
    this.output = output;
  }

  /** SIGTERM to the tree, SIGKILL after the grace period; resolves once nothing of it is left */
  stop(graceMs: number): Promise<void> {
    this.stopping ??= (async () => {
      if (this.pid) await terminateProcessTree(this.pid, this.tag, graceMs);
      await this.exited;
      await this.spec.sandbox.dispose();
    })();
    return this.stopping;
  }

  private line(line: string, stream: 'stdout' | 'stderr') {
    this.recent.push(line);
    if (this.recent.length > KEPT_LINES) this.recent.shift();
    this.output?.(line, stream);
  }
}

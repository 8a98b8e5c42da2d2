import type { BuildLog, BuildStep } from '../logs/build-log';
import { type ChildExit, runChildProcess } from './child-process';
import { StepAbortedError, buildFailed } from './step-errors';

export interface StepCommand {
  step: BuildStep;
  argv: string[];
  cwd: string;
  env: Record<string, string>;
  signal: AbortSignal;
}

// Runs a command of a step with its output in the deployment's log; a non-zero exit fails the step.
export class StepRunner {
  constructor(private readonly log: BuildLog) {}

  async run(cmd: StepCommand): Promise<void> {
    const exit = await this.exec(cmd);
    if (exit.exitCode !== 0) {
      const how = exit.exitCode !== null ? `exited with code ${exit.exitCode}` : `was killed by ${exit.signal}`;
      this.log.system(cmd.step, `${cmd.argv.join(' ')} ${how}`, 'error');
      throw buildFailed(cmd.step, `${cmd.step} failed: ${cmd.argv.join(' ')} ${how}`, exit.exitCode);
    }
  }

  /** runs to the end whatever the exit code; aborts and spawn failures still throw */
  async exec(cmd: StepCommand): Promise<ChildExit> {
    this.log.system(cmd.step, `$ ${cmd.argv.join(' ')}`);
    const exit = await runChildProcess({
      argv: cmd.argv,
      cwd: cmd.cwd,
      env: cmd.env,
      signal: cmd.signal,
      stdout: this.log.output(cmd.step, 'stdout'),
      stderr: this.log.output(cmd.step, 'stderr'),
    });
    if (exit.aborted) throw new StepAbortedError(cmd.step);
    if (exit.spawnError) {
      const message = `could not start ${cmd.argv[0]}: ${exit.spawnError.message}`;
      this.log.system(cmd.step, message, 'error');
      throw buildFailed(cmd.step, message);
    }
    return exit;
  }
}

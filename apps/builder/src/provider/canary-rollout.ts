import { Injectable } from '@nestjs/common';
import { DEFAULT_CANARY_MAX_ERROR_RATE, DEFAULT_CANARY_MIN_REQUESTS, type DeployStrategy } from '@flightdeck/contracts';
import { EdgeRouter } from '../edge/edge-router';
import { RouteTable } from '../edge/route-table';
import type { RoutedRelease } from '../edge/routed-release';
import { seconds } from './health-check';
import { ReleaseProcesses } from './release-processes';
import { ReleaseFailedError, type ReleaseLog } from './release-provider';
import { shortId } from './release-names';

export type CanaryStrategy = Extract<DeployStrategy, { type: 'canary' }>;
export type CanaryAction = 'promote' | 'abort';

const CHECK_EVERY_MS = 200;

interface Control {
  action?: CanaryAction;
  wake: () => void;
}

/** where a canary is at: its step (1-based) of how many, and the share of clients it has */
export type CanaryProgress = (step: number, of: number, percent: number) => void;

export interface CanaryRun {
  deploymentId: string;
  /** the environment's host label */
  label: string;
  release: RoutedRelease;
  strategy: CanaryStrategy;
  log: ReleaseLog;
  signal: AbortSignal;
  progress?: CanaryProgress;
}

// A canary, step by step: the edge sends the step's share of clients to the new release (sticky
// by cookie, canary-split.ts) and counts its answers; a step ends after its hold time, or at once
// on promote; the canary is rolled back (every client on the current release again, the deploy
// failed) when its 5xx share passes maxErrorRate after minRequests answers, when its process ends,
// on abort and on cancel. After the last step the caller switches the environment to it (100 %).
@Injectable()
export class CanaryRollout {
  private readonly controls = new Map<string, Control>();

  constructor(
    private readonly routes: RouteTable,
    private readonly edge: EdgeRouter,
    private readonly processes: ReleaseProcesses,
  ) {}

  /** promote or abort the running canary of the deployment; false when this builder runs none */
  act(deploymentId: string, action: CanaryAction): boolean {
    const control = this.controls.get(deploymentId);
    if (!control) return false;
    control.action = action;
    control.wake();
    return true;
  }

  isRunning(deploymentId: string): boolean {
    return this.controls.has(deploymentId);
  }

  async run(o: CanaryRun): Promise<void> {
    const { label, release, strategy, log } = o;
    const maxErrorRate = strategy.maxErrorRate ?? DEFAULT_CANARY_MAX_ERROR_RATE;
    const minRequests = strategy.minRequests ?? DEFAULT_CANARY_MIN_REQUESTS;
    const control: Control = { wake: () => undefined };
    this.controls.set(o.deploymentId, control);
    this.edge.countAnswers(release.id);
    this.processes.takeCrash(release.id);
    const n = strategy.steps.length;
    try {
      for (const [i, step] of strategy.steps.entries()) {
        this.routes.setCanary(label, release, step.percent);
        o.progress?.(i + 1, n, step.percent);
        log(`Canary step ${i + 1}/${n}: ${step.percent} % of clients to ${shortId(release.id)} (sticky by cookie), held ${seconds(step.holdSeconds * 1000)}`);
        const verdict = await this.hold(o, control, step.holdSeconds * 1000, maxErrorRate, minRequests);
        if (verdict === 'promote') {
          log('Canary promoted: every client goes to the new release now');
          return;
        }
        if (verdict !== 'next') {
          this.routes.removeCanary(label);
          log(`Canary rolled back: ${verdict}; every client is on the previous release again`, 'error');
          throw new ReleaseFailedError('the canary was rolled back', verdict);
        }
      }
      log('Canary held every step: every client goes to the new release now');
    } finally {
      this.edge.stopCounting(release.id);
      if (this.controls.get(o.deploymentId) === control) this.controls.delete(o.deploymentId);
    }
  }

  // 'next' when the hold time is over, 'promote', or why the canary is rolled back
  private async hold(o: CanaryRun, control: Control, ms: number, maxErrorRate: number, minRequests: number): Promise<string> {
    const until = Date.now() + ms;
    for (;;) {
      if (o.signal.aborted) return stoppedBecause(o.signal.reason);
      if (control.action === 'abort') return 'aborted (POST /deployments/:id/abort)';
      if (control.action === 'promote') return 'promote';
      const crash = this.processes.takeCrash(o.release.id);
      if (crash) return `its process ended: ${crash}`;
      const { responses, serverErrors } = this.edge.answerCounts(o.release.id);
      if (responses >= minRequests && serverErrors / responses > maxErrorRate) {
        return `${serverErrors} of its ${responses} answers were 5xx (${percent(serverErrors / responses)}), above the ${percent(maxErrorRate)} allowed`;
      }
      const left = until - Date.now();
      if (left <= 0) return 'next';
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, CHECK_EVERY_MS));
        control.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }
}

// the job's stop reason (job-runner.ts StopReason) as the rollback's
const stoppedBecause = (reason: unknown): string =>
  reason === 'timeout' ? 'the deployment timed out' : reason === 'shutdown' ? 'its builder is stopping (the next attempt starts the canary again)' : 'the deployment was canceled';

const percent = (rate: number) => `${Math.round(rate * 1000) / 10} %`;

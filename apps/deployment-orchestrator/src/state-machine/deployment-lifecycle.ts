import { type DeploymentPhase, type DeploymentStatus, HELD_PHASES, isHeldPhase, isTerminal } from '@flightdeck/contracts';

// The only place that knows which status may follow which. Terminal statuses have no way out.
const NEXT: Record<DeploymentStatus, readonly DeploymentStatus[]> = {
  created: ['queued', 'canceled', 'failed', 'timeout'],
  queued: ['initializing', 'canceled', 'failed', 'timeout'],
  // a rollback releases an existing artifact: it goes from initializing straight to deploying
  initializing: ['building', 'deploying', 'canceled', 'failed', 'timeout'],
  building: ['deploying', 'canceled', 'failed', 'timeout'],
  deploying: ['succeeded', 'canceled', 'failed', 'timeout'],
  succeeded: [],
  failed: [],
  canceled: [],
  timeout: [],
};

export const ACTIVE_STATUSES: readonly DeploymentStatus[] = ['created', 'queued', 'initializing', 'building', 'deploying'];
export const isActive = (s: DeploymentStatus) => !isTerminal(s);

export const canMove = (from: DeploymentStatus, to: DeploymentStatus): boolean => NEXT[from].includes(to);

// The pre-flight (phase `validating`) belongs to a queued deployment whose job has not gone to a
// builder yet: from it, the deployment is dispatched (phase `queued`), fails
// (deployment/invalid-configuration) or is canceled. No other status may show it.
export const PREFLIGHT_PHASE: DeploymentPhase = 'validating';
// Held by a protection rule (awaiting_approval, waiting_timer, frozen: issue 23) is a queued
// deployment with no job that does not count as the environment's running one either.
export const mayShowPhase = (status: DeploymentStatus, phase: DeploymentPhase): boolean =>
  (phase !== PREFLIGHT_PHASE && !isHeldPhase(phase)) || status === 'queued';

// The phases of a queued deployment that is not the environment's running one: waiting its turn
// in the queue, or held by a protection rule. The unique index of one running deployment per
// environment leaves the same phases out (migration 1765700000000).
export const OFF_SLOT_PHASES: readonly DeploymentPhase[] = ['waiting', ...HELD_PHASES];
export const takesSlot = (phase: DeploymentPhase): boolean => !OFF_SLOT_PHASES.includes(phase);

export type MoveDecision =
  | { ok: true; steps: DeploymentStatus[] }
  | { ok: false; reason: string };

// The statuses to pass through from `from` to `to`, shortest way first. Forward stages a report
// skipped (a team's CI that only publishes its result, say) are walked one by one, so every stored
// history still follows the machine; going back, or leaving a terminal status, is refused.
export function decideMove(from: DeploymentStatus, to: DeploymentStatus): MoveDecision {
  if (isTerminal(from)) return { ok: false, reason: `deployment is already ${from}` };
  if (from === to) return { ok: false, reason: `deployment is already ${to}` };
  const previous = new Map<DeploymentStatus, DeploymentStatus>();
  const queue: DeploymentStatus[] = [from];
  while (queue.length) {
    const at = queue.shift()!;
    for (const next of NEXT[at]) {
      if (next === from || previous.has(next)) continue;
      previous.set(next, at);
      if (next === to) {
        const steps: DeploymentStatus[] = [to];
        for (let s = at; s !== from; s = previous.get(s)!) steps.unshift(s);
        return { ok: true, steps };
      }
      queue.push(next);
    }
  }
  return { ok: false, reason: `a ${from} deployment cannot become ${to}` };
}

export interface LifecycleState {
  status: DeploymentStatus;
  phase: DeploymentPhase;
  progress: number;
  createdAt: Date;
  queuedAt: Date | null;
  startedAt: Date | null;
  finishedAt: Date | null;
  durationMs: number | null;
}

// What entering `to` at `at` does besides the status: timestamps (earlier ones are kept), and the
// phase and progress the status implies when nobody reported finer ones.
export function enterStatus(s: LifecycleState, to: DeploymentStatus, at: Date): LifecycleState {
  const next: LifecycleState = { ...s, status: to };
  if (to === 'queued') {
    next.queuedAt ??= at;
    next.phase = 'queued';
    next.progress = 0;
  }
  if (to === 'initializing' || to === 'building' || to === 'deploying') next.startedAt ??= at;
  if (to === 'succeeded') {
    next.phase = 'active';
    next.progress = 100;
  }
  if (to === 'failed' || to === 'timeout') next.phase = 'failed';
  if (isTerminal(to)) {
    next.finishedAt = at;
    next.durationMs = Math.max(0, at.getTime() - (s.startedAt ?? s.createdAt).getTime());
  }
  return next;
}

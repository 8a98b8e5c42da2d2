// What the launcher does when something it started exits unexpectedly: restart it after a pause
// that doubles with each recent exit (capped), or, after too many exits in a short window, stop
// restarting it: a crash loop is a cause to fix, and restarting it forever hides it.
export interface SupervisionPolicy {
  /** the pause before the first restart; doubled for each further exit inside the window */
  baseDelayMs: number;
  /** the longest pause */
  maxDelayMs: number;
  /** this many exits inside the window is a crash loop */
  crashLoopExits: number;
  crashLoopWindowMs: number;
}

export const DEFAULT_SUPERVISION: SupervisionPolicy = {
  baseDelayMs: 250,
  maxDelayMs: 30_000,
  crashLoopExits: 5,
  crashLoopWindowMs: 60_000,
};

export type ExitDecision =
  { action: 'restart'; delayMs: number; recentExits: number } | { action: 'give-up'; recentExits: number };

/** the exits (epoch ms) that count now: those inside the window ending at `now` */
export const exitsInWindow = (
  exits: readonly number[],
  now: number,
  policy: SupervisionPolicy = DEFAULT_SUPERVISION,
): number[] => exits.filter((t) => t > now - policy.crashLoopWindowMs && t <= now);

/** the pause before restarting after the n-th exit inside the window (n >= 1) */
export const restartDelay = (recentExits: number, policy: SupervisionPolicy = DEFAULT_SUPERVISION): number =>
  Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, recentExits - 1));

/** `exits`: every unexpected exit so far (epoch ms), the one at `now` included */
export function decideAfterExit(
  exits: readonly number[],
  now: number,
  policy: SupervisionPolicy = DEFAULT_SUPERVISION,
): ExitDecision {
  const recent = exitsInWindow(exits, now, policy).length;
  if (recent >= policy.crashLoopExits) return { action: 'give-up', recentExits: recent };
  return { action: 'restart', delayMs: restartDelay(recent, policy), recentExits: recent };
}

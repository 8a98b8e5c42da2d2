import type { DeploymentStatusChanged, HookEvent } from '@flightdeck/contracts';

/**
 * The hook events one status event is: created (its first transition), started (it enters
 * initializing), succeeded, failed (failed or timeout), canceled, rolled_back (a rollback
 * deployment succeeded: sent besides succeeded) and progress for every other change of status or
 * phase; approval.requested when it starts awaiting approval (held by required approvals) and
 * approval.decided with each approval, rejection or expiry (besides the deployment event it is).
 */
export const hookEventsOf = (e: DeploymentStatusChanged): HookEvent[] => [...deploymentEventsOf(e), ...approvalEventsOf(e)];

const approvalEventsOf = ({ transition }: DeploymentStatusChanged): HookEvent[] => {
  if (transition.approval) return ['approval.decided'];
  return transition.phase === 'awaiting_approval' && transition.from === 'created' ? ['approval.requested'] : [];
};

const deploymentEventsOf = ({ deployment, transition }: DeploymentStatusChanged): HookEvent[] => {
  if (transition.from === null) return ['deployment.created'];
  switch (transition.to) {
    case 'succeeded':
      return deployment.rollbackTargetId ? ['deployment.succeeded', 'deployment.rolled_back'] : ['deployment.succeeded'];
    case 'failed':
    case 'timeout':
      return ['deployment.failed'];
    case 'canceled':
      return ['deployment.canceled'];
    case 'initializing':
      if (transition.from !== 'initializing') return ['deployment.started'];
      return ['deployment.progress'];
    default:
      return ['deployment.progress'];
  }
};

/** version 1 of a delivery's body (deliveredAt is set on each attempt) */
export const hookPayload = (event: HookEvent, e: DeploymentStatusChanged) => ({
  version: 1 as const,
  event,
  deployment: e.deployment,
  transition: e.transition,
});

/** X-Flightdeck-Signature-256 (in the runtime lib: the custom provider signs with it too) */
export { signHookBody } from '@flightdeck/runtime';

/** the delay before attempt n+1 (n >= 1): base, 2×base, 4×base, ... */
export const backoffMs = (attempts: number, baseMs: number): number => baseMs * 2 ** Math.max(0, attempts - 1);

export const MAX_HOOK_ATTEMPTS = 8;

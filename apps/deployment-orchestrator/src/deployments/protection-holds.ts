import {
  type ApprovalDecision,
  type DecideApprovalRequest,
  type DeploymentPhase,
  ErrorCode,
  ProjectRole,
  type ProtectionRules,
  type Result,
  err,
  ok,
} from '@flightdeck/contracts';
import type { FreezeVerdict } from './freeze-windows';

// Pure: what an environment's protection rules (issue 23) do to one deployment. Approvals and the
// wait timer are taken from the rules when it is triggered (kept in metadata.protection, so a rule
// changed meanwhile does not change a deployment already waiting); freeze windows are read afresh
// each time it may go on, so ending or removing a window releases what it held.

export interface ProtectionState {
  approvals?: { required: number; minRole: ProjectRole; forbidAuthor: boolean; expiresAt: string; decisions: ApprovalDecision[] };
  waitTimer?: { minutes: number; until?: string };
  /** an admin's forced trigger went through a freeze (recorded, never held by one) */
  freezeOverridden?: { by: string; reason: string };
  /** when the sweeper looks at the held deployment again: its approvals expire, its timer ends, its freeze is read again */
  holdUntil?: string;
  /** in words, what it waits for */
  waitingFor?: string;
}

export interface Hold {
  phase: Extract<DeploymentPhase, 'awaiting_approval' | 'waiting_timer' | 'frozen'>;
  reason: string;
  state: ProtectionState;
}

const HOUR = 3_600_000;
const MINUTE = 60_000;
// a frozen deployment's window is read again at least this often (a rule removed releases it)
export const FREEZE_RECHECK_MS = 10_000;

export const protectionOf = (metadata: Record<string, unknown>): ProtectionState | undefined =>
  (metadata.protection as ProtectionState | undefined) ?? undefined;

/** what a new deployment keeps of its environment's rules; undefined: nothing may hold it */
export const snapshotRules = (rules: ProtectionRules | null | undefined, now: Date): ProtectionState | undefined => {
  if (!rules) return undefined;
  const state: ProtectionState = {};
  const a = rules.requiredApprovals;
  if (a) {
    state.approvals = {
      required: a.count,
      minRole: a.minRole ?? 'admin',
      forbidAuthor: !!a.forbidAuthor,
      expiresAt: new Date(now.getTime() + (a.expiresAfterHours ?? 168) * HOUR).toISOString(),
      decisions: [],
    };
  }
  if (rules.waitTimerMinutes) state.waitTimer = { minutes: rules.waitTimerMinutes };
  return state;
};

export const approvalsGiven = (s: ProtectionState): number =>
  new Set((s.approvals?.decisions ?? []).filter((d) => d.decision === 'approved').map((d) => d.by)).size;

/**
 * The next rule that holds the deployment, in order: approvals, then the wait timer (which starts
 * once approved), then a freeze window; null: it may go on. `freeze` is asked only when the others let it.
 */
export function nextHold(state: ProtectionState, now: Date, freeze: () => FreezeVerdict): Hold | null {
  const a = state.approvals;
  if (a && approvalsGiven(state) < a.required) {
    const waitingFor = `${a.required - approvalsGiven(state)} more approval${a.required - approvalsGiven(state) === 1 ? '' : 's'} (${approvalsGiven(state)} of ${a.required}) from a member with role ${a.minRole} or higher${a.forbidAuthor ? ', not its author' : ''}, until ${a.expiresAt}`;
    return { phase: 'awaiting_approval', reason: `awaiting approval: ${waitingFor}`, state: { ...state, holdUntil: a.expiresAt, waitingFor } };
  }
  if (state.waitTimer) {
    const until = state.waitTimer.until ?? new Date(now.getTime() + state.waitTimer.minutes * MINUTE).toISOString();
    if (new Date(until).getTime() > now.getTime()) {
      const waitingFor = `the wait timer of ${state.waitTimer.minutes} min, until ${until}`;
      return { phase: 'waiting_timer', reason: `waiting: ${waitingFor}`, state: { ...state, waitTimer: { ...state.waitTimer, until }, holdUntil: until, waitingFor } };
    }
  }
  if (!state.freezeOverridden) {
    const verdict = freeze();
    if (verdict.frozen) {
      const look = Math.min(verdict.until.getTime(), now.getTime() + FREEZE_RECHECK_MS);
      return { phase: 'frozen', reason: verdict.reason, state: { ...state, holdUntil: new Date(look).toISOString(), waitingFor: verdict.reason } };
    }
  }
  return null;
}

/** the state once nothing holds it any more */
export const released = (state: ProtectionState): ProtectionState => {
  const { holdUntil: _h, waitingFor: _w, ...rest } = state;
  return rest;
};

const rank = (r: ProjectRole) => ProjectRole.options.indexOf(r);

export type ApprovalVerdict =
  | { kind: 'repeat' }
  | { kind: 'rejected'; state: ProtectionState; reason: string }
  | { kind: 'approved'; state: ProtectionState; given: number; required: number };

/** an approval or rejection of a deployment awaiting approval, by `req.actor` with `req.role` */
export function decideApproval(state: ProtectionState, triggeredBy: string, req: DecideApprovalRequest, now: Date): Result<ApprovalVerdict> {
  const a = state.approvals!;
  if (rank(req.role) < rank(a.minRole)) {
    return err(ErrorCode.DeploymentApprovalNotAllowed, `approving or rejecting this deployment takes the ${a.minRole} role or higher; you are ${req.role}`, {
      minRole: a.minRole,
    });
  }
  if (a.forbidAuthor && req.actor.id === triggeredBy) {
    return err(ErrorCode.DeploymentApprovalByAuthor, 'this environment forbids approving or rejecting a deployment you triggered yourself; ask another member');
  }
  if (a.decisions.some((d) => d.by === req.actor.id && d.decision === req.decision)) return ok({ kind: 'repeat' });
  const decision: ApprovalDecision = { by: req.actor.id, role: req.role, decision: req.decision, comment: req.comment ?? null, at: now.toISOString() };
  const next: ProtectionState = { ...state, approvals: { ...a, decisions: [...a.decisions, decision] } };
  if (req.decision === 'rejected') {
    return ok({ kind: 'rejected', state: next, reason: `rejected by ${req.actor.kind} ${req.actor.id}${req.comment ? `: ${req.comment}` : ''}` });
  }
  return ok({ kind: 'approved', state: next, given: approvalsGiven(next), required: a.required });
}

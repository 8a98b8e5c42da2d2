import { Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { type DecideApprovalRequest, type Deployment, type Environment, ErrorCode, type Result, err, isHeldPhase, ok } from '@flightdeck/contracts';
import { ProjectDirectory } from '../dispatch/project-directory';
import { DeploymentTransitions } from './deployment-transitions.service';
import type { DeploymentEntity } from './deployment.entity';
import { toDeployment } from './deployment.mapper';
import { DeploymentsRepository } from './deployments.repository';
import { EnvironmentQueue } from './environment-queue';
import { AUTOMATIC_TRIGGERS } from './environment-pause';
import { EnvironmentPauses } from './environment-pauses.service';
import { freezeAt } from './freeze-windows';
import { type ProtectionState, approvalsGiven, decideApproval, nextHold, protectionOf, released } from './protection-holds';

// Deployments held by their environment's protection rules (issue 23): approvals decided by
// members, deadlines (an expiry, the wait timer's end, a freeze's end) met by the sweeper. Every
// change is taken under the environment's lock, then the deployment's row lock (EnvironmentQueue's order).
@Injectable()
export class HeldDeployments {
  private readonly logger = new Logger(HeldDeployments.name);

  constructor(
    private readonly ds: DataSource,
    private readonly repo: DeploymentsRepository,
    private readonly transitions: DeploymentTransitions,
    private readonly queue: EnvironmentQueue,
    private readonly directory: ProjectDirectory,
    private readonly pauses: EnvironmentPauses,
  ) {}

  async decide(req: DecideApprovalRequest): Promise<Result<Deployment>> {
    const seen = await this.repo.findById(req.deploymentId);
    if (!seen) return err(ErrorCode.DeploymentNotFound, `deployment ${req.deploymentId} not found`);
    if (seen.phase !== 'awaiting_approval') return notAwaiting(seen);
    const env = await this.environment(seen);
    if (!env.ok) return env;
    return this.ds.transaction(async (tx) => {
      await this.repo.lockEnvironment(tx, seen.environmentId);
      const d = await this.repo.lockById(tx, seen.id);
      if (!d || d.status !== 'queued' || d.phase !== 'awaiting_approval') return notAwaiting(d ?? seen);
      const state = protectionOf(d.metadata)!;
      const now = new Date();
      const verdict = decideApproval(state, d.triggeredBy, req, now);
      if (!verdict.ok) return verdict;
      const v = verdict.data;
      if (v.kind === 'repeat') return ok(toDeployment(d));
      const comment = req.comment ?? null;
      const by = `${req.actor.kind} ${req.actor.id}`;
      d.metadata = { ...d.metadata, protection: v.state };
      if (v.kind === 'rejected') {
        const approval = { decision: 'rejected' as const, by: req.actor.id, comment, given: approvalsGiven(v.state), required: state.approvals!.required };
        await this.end(tx, d, v.reason, approval);
        this.logger.log({ deploymentId: d.id, by }, 'deployment rejected');
        return ok(toDeployment(d));
      }
      const approval = { decision: 'approved' as const, by: req.actor.id, comment, given: v.given, required: v.required };
      const reason = `approved by ${by} (${v.given} of ${v.required})${comment ? `: ${comment}` : ''}`;
      this.logger.log({ deploymentId: d.id, by, given: v.given, required: v.required }, 'deployment approved');
      if (v.given < v.required) {
        const still = nextHold(v.state, now, () => ({ frozen: false }))!;
        await this.transitions.update(tx, d, { reason, approval, patch: { metadata: { ...d.metadata, protection: still.state } } });
        return ok(toDeployment(d));
      }
      await this.goOn(tx, d, env.data, now, reason, approval);
      return ok(toDeployment(d));
    });
  }

  /** held deployments whose deadline came: expired approvals end, timers and freezes are looked at again */
  async sweepDue(limit: number): Promise<number> {
    const due = await this.repo.dueHolds(limit);
    for (const seen of due) {
      const env = await this.environment(seen);
      // a deleted environment's deployments are canceled by its deletion's consumer
      if (!env.ok) continue;
      await this.ds.transaction(async (tx) => {
        await this.repo.lockEnvironment(tx, seen.environmentId);
        const d = await this.repo.lockById(tx, seen.id);
        if (!d || d.status !== 'queued' || !isHeldPhase(d.phase)) return;
        const state = protectionOf(d.metadata) ?? {};
        const now = new Date();
        if (state.holdUntil && new Date(state.holdUntil).getTime() > now.getTime()) return;
        if (d.phase === 'awaiting_approval') {
          const a = state.approvals!;
          const reason = `approval expired: ${approvalsGiven(state)} of ${a.required} approvals by ${a.expiresAt}`;
          await this.end(tx, d, reason, { decision: 'expired', by: null, comment: null, given: approvalsGiven(state), required: a.required });
          this.logger.log({ deploymentId: d.id }, 'deployment approval expired');
          return;
        }
        await this.goOn(tx, d, env.data, now, d.phase === 'waiting_timer' ? 'the wait timer ended' : 'the freeze window ended');
      });
    }
    return due.length;
  }

  // The next rule holding it, or released: it joins the environment's queue, whose oldest
  // deployment starts when none runs (its pre-flight first, as at a trigger).
  private async goOn(tx: EntityManager, d: DeploymentEntity, env: Environment, now: Date, why: string, approval?: Parameters<DeploymentTransitions['update']>[2]['approval']) {
    const state: ProtectionState = protectionOf(d.metadata) ?? {};
    const windows = env.protection?.freezeWindows ?? [];
    const hold = nextHold(state, now, () => (windows.length ? freezeAt(windows, now) : { frozen: false }));
    if (hold) {
      if (hold.phase === d.phase && !approval) {
        // still frozen: only its next look is stored
        await this.transitions.update(tx, d, { reason: null, patch: { metadata: { ...d.metadata, protection: hold.state } } });
        return;
      }
      await this.transitions.update(tx, d, { phase: hold.phase, reason: `${why}; ${hold.reason}`, approval, patch: { metadata: { ...d.metadata, protection: hold.state } } });
      return;
    }
    // a rollback paused the environment while it was held: a push or a schedule must not undo it
    const pause = AUTOMATIC_TRIGGERS.includes(d.trigger) ? await this.pauses.current(tx, d.environmentId) : undefined;
    if (pause) {
      const reason = `${why}; but the environment is paused since ${pause.pausedAt.toISOString()} (rollback ${pause.rollbackDeploymentId}): a ${d.trigger} deployment does not deploy over it`;
      await this.end(tx, d, reason, approval);
      this.logger.log({ deploymentId: d.id, rollbackDeploymentId: pause.rollbackDeploymentId }, 'held deployment canceled: the environment is paused');
      return;
    }
    await this.transitions.update(tx, d, {
      phase: 'waiting',
      reason: `released (${why}): waiting for its turn`,
      approval,
      patch: { metadata: { ...d.metadata, protection: released(state) } },
    });
    await this.queue.startNext(tx, d.environmentId);
    this.logger.log({ deploymentId: d.id, why }, 'held deployment released');
  }

  private async end(tx: EntityManager, d: DeploymentEntity, reason: string, approval?: Parameters<DeploymentTransitions['move']>[3]['approval']) {
    const moved = await this.transitions.move(tx, d, 'canceled', { reason, approval, patch: { errorCode: ErrorCode.DeploymentCanceled, errorMessage: reason } });
    if (!moved.ok) throw new Error(`could not cancel held deployment ${d.id}: ${moved.error.message}`);
  }

  private async environment(d: DeploymentEntity): Promise<Result<Environment>> {
    const target = await this.directory.environment(d.environmentId);
    return target.ok ? ok(target.data.environment) : target;
  }
}

const notAwaiting = (d: DeploymentEntity): Result<never> =>
  err(
    ErrorCode.DeploymentNotAwaitingApproval,
    `deployment ${d.id} is not awaiting approval: it is ${d.status}${d.status === 'queued' ? ` (phase ${d.phase})` : ''}`,
    { status: d.status, phase: d.phase },
  );


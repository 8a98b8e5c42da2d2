import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { type Actor, ErrorCode, type Result, err } from '@flightdeck/contracts';
import { ORCHESTRATOR_CONFIG, type DeploymentOrchestratorConfig } from '../config/deployment-orchestrator.config';
import { type TriggerOutcome, TriggerDeploymentUseCase } from '../deployments/trigger-deployment.usecase';
import { SweeperLeadership } from '../timeouts/sweeper-leadership';
import type { DeploymentScheduleEntity } from './deployment-schedule.entity';
import { DeploymentSchedulesRepository } from './deployment-schedules.repository';
import { type Firing, firingKey, planFiring } from './schedule-timing';

const BATCH = 20;

// An outage, not an answer: the firing stays due and is tried again, with the same key, next sweep.
const TRY_AGAIN: ReadonlySet<string> = new Set([ErrorCode.ServiceUnavailable, ErrorCode.InternalError]);

const scheduler = (s: DeploymentScheduleEntity): Actor => ({ kind: 'system', id: `schedule:${s.id}` });

// Fires due schedules on the sweeping replica (SweeperLeadership), every sweep interval.
// A due row is locked (FOR UPDATE SKIP LOCKED) for the whole firing: the trigger, keyed by
// (schedule, due time), runs while the lock is held, and next_run_at advances in the same
// transaction that holds it. A crash after the trigger commits but before the advance leaves the
// row due with the same key, so the next sweep gets the same deployment back: each firing triggers
// once, whichever replica or restart fires it. Due-ness is the database's clock.
@Injectable()
export class ScheduleFiring implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(ScheduleFiring.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;
  private stopped = false;

  constructor(
    @Inject(ORCHESTRATOR_CONFIG) private readonly config: DeploymentOrchestratorConfig,
    private readonly ds: DataSource,
    private readonly repo: DeploymentSchedulesRepository,
    private readonly trigger: TriggerDeploymentUseCase,
    private readonly leadership: SweeperLeadership,
  ) {}

  onApplicationBootstrap() {
    this.next();
  }

  async onModuleDestroy() {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** fires every schedule due by the database's clock, at most BATCH of them; how many fired */
  fireDue(): Promise<number> {
    return this.ds.transaction(async (tx) => {
      const now = await this.repo.now(tx);
      const due = await this.repo.lockDue(tx, now, BATCH);
      let fired = 0;
      for (const s of due) {
        const firing = await this.plan(tx, s, now);
        if (firing && (await this.fire(tx, s, firing))) fired++;
      }
      return fired;
    });
  }

  // The leadership check itself is the deployment sweeper's (every sweep interval); this loop
  // only reads its answer.
  private next() {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = (this.leadership.isLeader ? this.fireDue() : Promise.resolve(0))
        .catch((e) => this.logger.warn({ err: (e as Error).message }, 'firing schedules failed, will retry'))
        .finally(() => this.next());
    }, this.config.FLIGHTDECK_SWEEP_INTERVAL_MS);
  }

  // A stored expression that no longer computes (checked when set, so only after a library change)
  // stops its own schedule, never the batch: it waits for a PUT with the reason in lastError.
  private async plan(tx: EntityManager, s: DeploymentScheduleEntity, now: Date): Promise<Firing | undefined> {
    try {
      return planFiring(s.cron, s.timezone, s.nextRunAt!, now);
    } catch (e) {
      s.nextRunAt = null;
      s.lastErrorCode = ErrorCode.ScheduleInvalidCron;
      s.lastErrorMessage = `cron expression '${s.cron}' (${s.timezone}) cannot be computed: ${(e as Error).message}`;
      await this.repo.save(tx, s);
      this.logger.error({ scheduleId: s.id, cron: s.cron, err: (e as Error).message }, 'schedule stopped: its next run cannot be computed');
      return undefined;
    }
  }

  private async fire(tx: EntityManager, s: DeploymentScheduleEntity, firing: Firing): Promise<boolean> {
    const outcome = await this.triggerFor(s, firing);
    const log = { scheduleId: s.id, environmentId: s.environmentId, fireAt: firing.fireAt, missed: firing.missed };
    if (!outcome.ok && TRY_AGAIN.has(outcome.error.code)) {
      s.lastErrorCode = outcome.error.code;
      s.lastErrorMessage = outcome.error.message;
      await this.repo.save(tx, s);
      this.logger.warn({ ...log, code: outcome.error.code, err: outcome.error.message }, 'scheduled deployment not triggered, will try again');
      return false;
    }
    s.nextRunAt = firing.nextRunAt;
    s.lastRunAt = firing.fireAt;
    s.firings += 1;
    s.lastDeploymentId = outcome.ok ? outcome.data.deployment.id : null;
    s.lastErrorCode = outcome.ok ? null : outcome.error.code;
    s.lastErrorMessage = outcome.ok ? null : outcome.error.message;
    await this.repo.save(tx, s);
    if (outcome.ok) this.logger.log({ ...log, deploymentId: outcome.data.deployment.id, replayed: outcome.data.replayed }, 'scheduled deployment triggered');
    else this.logger.warn({ ...log, code: outcome.error.code, err: outcome.error.message }, 'scheduled firing started no deployment');
    return true;
  }

  private async triggerFor(s: DeploymentScheduleEntity, firing: Firing): Promise<TriggerOutcome> {
    const late = firing.missed > 0 ? `; caught up once after ${firing.missed} missed firing(s)` : '';
    try {
      return await this.trigger.execute({
        projectId: s.projectId,
        environmentId: s.environmentId,
        sourceRef: s.sourceRef,
        trigger: 'schedule',
        idempotencyKey: firingKey(s.id, firing.fireAt),
        message: `scheduled (${s.cron}, ${s.timezone}) for ${firing.fireAt.toISOString()}${late}`,
        actor: scheduler(s),
      });
    } catch (e) {
      return err(ErrorCode.InternalError, (e as Error).message) as Result<never>;
    }
  }
}

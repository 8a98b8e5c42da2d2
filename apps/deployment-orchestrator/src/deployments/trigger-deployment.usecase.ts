import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import {
  type Deployment,
  ErrorCode,
  MAX_QUEUED,
  type Result,
  type TriggerDeploymentRequest,
  type TriggerVariables,
  triggerVariablesOf,
  withholdsSensitive,
  err,
  ok,
} from '@flightdeck/contracts';
import { ORCHESTRATOR_CONFIG, type DeploymentOrchestratorConfig } from '../config/deployment-orchestrator.config';
import { DeployJobDispatcher } from '../dispatch/deploy-job.dispatcher';
import { triggerRateVerdict } from './trigger-rate-limit';
import { decideTrigger } from './concurrency-policy';
import { type DeployTarget, ProjectDirectory } from '../dispatch/project-directory';
import { DeploymentTransitions } from './deployment-transitions.service';
import { DeploymentCanceler } from './deployment-canceler';
import { EnvironmentQueue } from './environment-queue';
import { PreflightRunner } from './preflight-runner';
import type { DeploymentEntity } from './deployment.entity';
import { toDeployment } from './deployment.mapper';
import {
  DeploymentsRepository,
  IDEMPOTENCY_KEY_INDEX,
  ONE_ACTIVE_PER_ENVIRONMENT_INDEX,
  isUniqueViolation,
} from './deployments.repository';
import { buildSettingsSnapshot } from './build-settings-snapshot';
import { refusedRef } from './allowed-refs';
import { pauseVerdict } from './environment-pause';
import { EnvironmentPauses } from './environment-pauses.service';
import { type FreezeVerdict, freezeAt } from './freeze-windows';
import { type Hold, nextHold, snapshotRules } from './protection-holds';

export type TriggerOutcome = Result<{ deployment: Deployment; replayed: boolean }>;

/** a retry: the deployment it repeats, and how */
export interface RetryOf {
  parent: DeploymentEntity;
  retryCount: number;
  clearCache: boolean;
}

@Injectable()
export class TriggerDeploymentUseCase {
  private readonly logger = new Logger(TriggerDeploymentUseCase.name);

  constructor(
    private readonly ds: DataSource,
    private readonly repo: DeploymentsRepository,
    private readonly transitions: DeploymentTransitions,
    private readonly canceler: DeploymentCanceler,
    private readonly directory: ProjectDirectory,
    private readonly dispatcher: DeployJobDispatcher,
    private readonly queue: EnvironmentQueue,
    private readonly preflight: PreflightRunner,
    private readonly pauses: EnvironmentPauses,
    @Inject(ORCHESTRATOR_CONFIG) private readonly config: DeploymentOrchestratorConfig,
  ) {}

  async execute(req: TriggerDeploymentRequest, retryOf?: RetryOf): Promise<TriggerOutcome> {
    const replay = await this.replay(req);
    if (replay) return replay;
    const target = await this.directory.resolve(req.projectId, req.environmentId);
    if (!target.ok) return target;
    // the environment's allowedRefs: a push webhook names its branch in `ref` (its sourceRef is the commit)
    const refused = refusedRef(target.data.environment.allowedRefs, req.ref ?? req.sourceRef, target.data.environment.name);
    if (refused) return refused;
    // a forced trigger that lost a race to another trigger cancels that one on its second try
    for (let tries = req.force ? 2 : 1; ; tries--) {
      try {
        const outcome = await this.ds.transaction((tx) => this.createAndDispatch(tx, req, target.data, retryOf));
        // committed: its pre-flight starts here (should this replica stop first, the sweeper runs it again)
        if (outcome.ok && !outcome.data.replayed && outcome.data.deployment.phase === 'validating') this.preflight.start(outcome.data.deployment.id);
        return outcome;
      } catch (e) {
        if (req.idempotencyKey && isUniqueViolation(e, IDEMPOTENCY_KEY_INDEX)) return (await this.replay(req))!;
        if (!isUniqueViolation(e, ONE_ACTIVE_PER_ENVIRONMENT_INDEX)) throw e;
        // the same key may have raced in on the other index first
        const again = await this.replay(req);
        if (again) return again;
        if (tries <= 1) return this.alreadyRunning(target.data, undefined);
      }
    }
  }

  private async replay(req: TriggerDeploymentRequest, tx?: EntityManager): Promise<TriggerOutcome | undefined> {
    if (!req.idempotencyKey) return undefined;
    const existing = await this.repo.findByIdempotencyKey(req.projectId, req.idempotencyKey, tx);
    return existing ? ok({ deployment: toDeployment(existing), replayed: true }) : undefined;
  }

  // Three statements in the common case: the locks, what the decision reads, and the deployment
  // with its history and its events (the job's too) in the outbox.
  private async createAndDispatch(tx: EntityManager, req: TriggerDeploymentRequest, target: DeployTarget, retryOf?: RetryOf): Promise<TriggerOutcome> {
    const id = randomUUID();
    const environmentId = target.environment.id;
    await this.repo.lockForTrigger(tx, target.project.id, environmentId);
    const { recentTriggerAges, running, waiting, replay } = await this.repo.triggerSnapshot(tx, target.project.id, environmentId, req.idempotencyKey);
    // looked up again under the locks: a request with the same key may have committed meanwhile,
    // and its retry must get that deployment back, never cancel it or be refused by it (nor by the rate limit)
    if (replay) return ok({ deployment: toDeployment(replay), replayed: true });
    const perMinute = target.project.triggersPerMinute ?? this.config.FLIGHTDECK_TRIGGERS_PER_MINUTE;
    const rate = triggerRateVerdict(target.project.id, recentTriggerAges, perMinute);
    if (!rate.ok) return rate;
    // pause after rollback: automatic triggers wait for a resume, manual ones need force (recorded)
    const paused = pauseVerdict(await this.pauses.current(tx, environmentId), req.trigger, !!req.force, target.environment.name);
    if (!paused.ok) return paused;
    const overridden = paused.data.overridden;
    const policy = target.environment.concurrencyPolicy ?? 'reject';
    const external = (req.provider ?? 'internal') === 'external';
    const guarded = external ? ({ ok: true, hold: null, freezeOverride: null } as const) : protectionVerdict(req, target, retryOf);
    if (!guarded.ok) return guarded.refused;
    const hold = guarded.hold;
    if (hold) return ok({ deployment: toDeployment(await this.createHeld(tx, id, req, target, hold, guarded.freezeOverride, retryOf)), replayed: false });
    let plan = decideTrigger(policy, { running: !!running, waiting: waiting.length }, !!req.force);
    // an external deployment is built when its publisher says so: it cannot wait for a turn
    if (plan.kind === 'wait' && external) plan = { kind: 'reject' };
    if (plan.kind === 'reject') return this.alreadyRunning(target, running?.id ?? waiting[0]?.id);
    if (plan.kind === 'queue-full') {
      return err(
        ErrorCode.DeploymentQueueFull,
        `environment ${target.environment.name} of ${target.project.name} already has ${waiting.length} deployments waiting (at most ${MAX_QUEUED}); wait for them or cancel some`,
        { waiting: waiting.length, limit: MAX_QUEUED },
      );
    }
    if (plan.cancel.running && running) {
      this.logger.log({ deploymentId: running.id, by: id, policy, force: !!req.force }, 'newer trigger cancels the running deployment');
      await this.cancel(tx, running, `superseded by ${req.force ? 'forced ' : ''}deployment ${id} (policy ${req.force ? 'force' : policy})`);
    }
    if (plan.cancel.waiting) {
      for (const w of waiting) await this.cancel(tx, w, `superseded by newer deployment ${id} before its turn (policy ${req.force ? 'force' : policy})`);
    }
    const waits = plan.kind === 'wait';
    // the pre-flight (phase validating) checks the variables before the job goes out; a waiting one's runs at its turn
    const skipValidation = !external && !!req.skipValidation;
    const preflightNow = !external && !skipValidation && !waits;
    const created = await this.transitions.createQueued(
      tx,
      {
        ...triggeredRow(id, req, target, retryOf),
        metadata: {
          ...triggeredMetadata(req, target, retryOf),
          ...(running && plan.cancel.running ? { supersedes: running.id } : {}),
          ...(waits ? { waitedBehind: running?.id ?? waiting[0]?.id } : {}),
          ...(skipValidation ? { skipValidation: true } : {}),
          ...(overridden ? { pauseOverridden: { rollbackDeploymentId: overridden.rollbackDeploymentId, since: overridden.pausedAt.toISOString() } } : {}),
          ...(guarded.freezeOverride ? { protection: { freezeOverridden: guarded.freezeOverride } } : {}),
        },
      },
      {
        created:
          `triggered by ${req.actor.kind} ${req.actor.id}` +
          (overridden ? `; forced through the pause since ${overridden.pausedAt.toISOString()} (rollback ${overridden.rollbackDeploymentId})` : '') +
          (guarded.freezeOverride ? `; ${guarded.freezeOverride.reason}` : ''),
        queued: waits
          ? `waiting for its turn (policy ${policy}): ${running ? `deployment ${running.id} runs` : 'older deployments wait'}`
          : external
            ? 'waiting for the external publisher'
            : preflightNow
              ? 'pre-flight: checking the environment\'s variables before any build'
              : skipValidation
                ? `build job dispatched without the pre-flight check of its variables (skipValidation by ${req.actor.kind} ${req.actor.id})`
                : 'build job dispatched',
      },
      {
        waiting: waits,
        hold: preflightNow,
        jobFor: (d) => (external ? null : this.dispatcher.jobFor(d, target, undefined, { clearCache: retryOf ? retryOf.clearCache : req.clearCache, force: req.force })),
      },
    );
    // nothing may run any more (the one that ran ended meanwhile): the oldest waiting one starts.
    // Under the environment's lock a running deployment (row-locked above) cannot have ended.
    if (waits && !running) await this.queue.startNext(tx, environmentId);
    return ok({ deployment: toDeployment(created), replayed: false });
  }

  // Held by a protection rule: no concurrency decision (it takes no slot and supersedes nothing
  // yet), no pre-flight; both come when it is released (HeldDeployments.goOn).
  private createHeld(tx: EntityManager, id: string, req: TriggerDeploymentRequest, target: DeployTarget, hold: Hold, freezeOverride: FreezeOverride | null, retryOf?: RetryOf) {
    const overridden = freezeOverride ? `; ${freezeOverride.reason}` : '';
    return this.transitions.createQueued(
      tx,
      {
        ...triggeredRow(id, req, target, retryOf),
        metadata: {
          ...triggeredMetadata(req, target, retryOf),
          ...(req.skipValidation ? { skipValidation: true } : {}),
          ...(req.force ? { forced: true } : {}),
          protection: hold.state,
        },
      },
      { created: `triggered by ${req.actor.kind} ${req.actor.id}${overridden}`, queued: hold.reason },
      {
        waiting: false,
        held: hold.phase,
        jobFor: (d) => this.dispatcher.jobFor(d, target, undefined, { clearCache: retryOf ? retryOf.clearCache : req.clearCache, force: req.force }),
      },
    );
  }

  private async cancel(tx: EntityManager, d: DeploymentEntity, reason: string) {
    const canceled = await this.canceler.cancelNow(tx, d, reason);
    if (!canceled.ok) throw new Error(`could not cancel ${d.id}: ${canceled.error.message}`);
  }

  private alreadyRunning(target: DeployTarget, activeId: string | undefined): TriggerOutcome {
    return err(
      ErrorCode.DeploymentAlreadyRunning,
      `environment ${target.environment.name} of ${target.project.name} already has a deployment in progress; wait for it, cancel it, or trigger with force`,
      activeId ? { deploymentId: activeId } : undefined,
    );
  }
}

const withBuildSettings = (s: ReturnType<typeof buildSettingsSnapshot>) => (s ? { buildSettings: s } : {});
// the trigger's own variables (a retry keeps its parent's), read by environment-manager with the deployment
const withTriggerVariables = (v: TriggerVariables | undefined) => (v && Object.keys(v).length ? { triggerVariables: v } : {});

// What every deployment a trigger creates holds, dispatched at once or held by a protection rule.
const triggeredRow = (id: string, req: TriggerDeploymentRequest, target: DeployTarget, retryOf?: RetryOf) => ({
  id,
  projectId: target.project.id,
  environmentId: target.environment.id,
  sourceRef: req.sourceRef,
  message: req.message ?? null,
  triggeredBy: req.actor.id,
  trigger: req.trigger,
  idempotencyKey: req.idempotencyKey ?? null,
  provider: deploymentProviderOf(req.provider, target),
  ...(retryOf ? { parentDeploymentId: retryOf.parent.id } : {}),
});

const triggeredMetadata = (req: TriggerDeploymentRequest, target: DeployTarget, retryOf?: RetryOf) => ({
  ...(retryOf ? { retryOf: retryOf.parent.id, retryCount: retryOf.retryCount, clearCache: retryOf.clearCache } : {}),
  ...(!retryOf && req.clearCache ? { clearCache: true } : {}),
  ...withBuildSettings(buildSettingsSnapshot(target.environment.buildSettings, req.buildSettings, retryOf?.parent.metadata)),
  // the branch or tag allowedRefs checked when it is not sourceRef (a push's commit): a retry is checked on it again
  ...(req.ref && req.ref !== req.sourceRef ? { ref: req.ref } : {}),
  ...withTriggerVariables(req.variables ?? (retryOf ? triggerVariablesOf(retryOf.parent.metadata) : undefined)),
  ...(req.withholdSensitive || (retryOf && withholdsSensitive(retryOf.parent.metadata)) ? { withholdSensitive: true } : {}),
});

type FreezeOverride = { by: string; reason: string };
type ProtectionVerdict = { ok: true; hold: Hold | null; freezeOverride: FreezeOverride | null } | { ok: false; refused: TriggerOutcome };

const ADMIN_ROLES = new Set(['admin', 'owner']);

// The environment's protection rules at trigger time: the first rule that holds the new deployment
// (approvals, wait timer, a freeze window with behaviour wait), a refusal (a freeze window with
// behaviour refuse), or nothing. A forced trigger by an admin goes through a freeze, recorded.
export function protectionVerdict(req: TriggerDeploymentRequest, target: DeployTarget, retryOf?: RetryOf, now = new Date()): ProtectionVerdict {
  const rules = target.environment.protection;
  if (!rules) return { ok: true, hold: null, freezeOverride: null };
  // required results: the builder fails a build whose test command exits non-zero before it
  // releases anything; a build that would run no test is refused here, before anything is created
  const settings = buildSettingsSnapshot(target.environment.buildSettings, req.buildSettings, retryOf?.parent.metadata);
  if (rules.requireTestsPassed && (!settings?.testCommand || settings.skipBuild)) {
    return {
      ok: false,
      refused: err(
        ErrorCode.DeploymentTestsRequired,
        `environment ${target.environment.name} of ${target.project.name} only releases builds whose tests passed, and this build would run none (${settings?.skipBuild ? 'skipBuild is set' : 'no testCommand in its build settings'})`,
      ),
    };
  }
  const windows = rules.freezeWindows ?? [];
  const freeze: FreezeVerdict = windows.length ? freezeAt(windows, now) : { frozen: false };
  const adminForce = !!req.force && !!req.actorRole && ADMIN_ROLES.has(req.actorRole);
  const freezeOverride = freeze.frozen && adminForce ? { by: `${req.actor.kind} ${req.actor.id}`, reason: `forced through the ${freeze.reason} by ${req.actorRole} ${req.actor.kind} ${req.actor.id}` } : null;
  if (freeze.frozen && !adminForce && rules.freezeBehaviour === 'refuse') {
    return {
      ok: false,
      refused: err(
        ErrorCode.EnvironmentFrozen,
        `environment ${target.environment.name} of ${target.project.name} is frozen (${freeze.reason}); deploy after ${freeze.until.toISOString()}, or an admin triggers with force`,
        { until: freeze.until.toISOString() },
      ),
    };
  }
  const state = { ...(snapshotRules(rules, now) ?? {}), ...(freezeOverride ? { freezeOverridden: freezeOverride } : {}) };
  return { ok: true, hold: nextHold(state, now, () => freeze), freezeOverride };
}

/** what a deployment records as its provider: external (its publisher's), else the environment's provider by name */
export const deploymentProviderOf = (asked: TriggerDeploymentRequest['provider'], target: Pick<DeployTarget, 'environment'>): string =>
  asked === 'external' ? 'external' : (target.environment.provider?.name ?? 'internal');

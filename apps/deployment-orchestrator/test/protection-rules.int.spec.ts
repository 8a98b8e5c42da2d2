import {
  type DecideApprovalRequest,
  type ProtectionRules,
  decideApproval,
  getDeploymentProgress,
  getEnvironmentPause,
  listDeploymentSchedules,
  retryDeployment,
  resumeEnvironment,
  rollbackDeployment,
  setDeploymentSchedule,
} from '@flightdeck/contracts';
import { eventually } from '@flightdeck/testing';
import { ScheduleFiring } from '../src/schedules/schedule-firing.service';
import { OrchestratorHarness, anActor } from './support/orchestrator-harness';

jest.setTimeout(120_000);

// Protection rules of an environment (issue 23), decided by the orchestrator's trigger use case:
// the path every trigger takes (api, cli, webhook, schedule, retry).
describe('protection rules', () => {
  let h: OrchestratorHarness;

  beforeAll(async () => {
    h = await OrchestratorHarness.start({ FLIGHTDECK_TRIGGERS_PER_MINUTE: '10000' });
  });
  afterAll(async () => {
    await h?.stop();
  });

  const count = async (environmentId: string) =>
    Number(
      (
        await h.sql<{ n: string }>(
          `select count(*) as n from orchestrator.deployments where environment_id = $1`,
          [environmentId],
        )
      )[0].n,
    );

  describe('allowed refs', () => {
    it('refuses a ref matching no pattern with deployment/ref-not-allowed and creates nothing; a matching branch or tag deploys', async () => {
      const { project, production } = h.directory.addProject();
      h.directory.environments.set(production.id, { ...production, allowedRefs: ['main', 'v*'] });

      const refused = await h.trigger(project.id, { sourceRef: 'feature/login' });
      expect(!refused.ok && refused.error.code).toBe('deployment/ref-not-allowed');
      expect(!refused.ok && refused.error.details).toEqual({
        ref: 'feature/login',
        allowedRefs: ['main', 'v*'],
      });
      // a webhook names its branch in ref, its commit in sourceRef: the branch is what is checked
      const pushed = await h.trigger(project.id, {
        sourceRef: 'a'.repeat(40),
        ref: 'develop',
        trigger: 'webhook',
      });
      expect(!pushed.ok && pushed.error.code).toBe('deployment/ref-not-allowed');
      const scheduled = await h.trigger(project.id, { sourceRef: 'nightly', trigger: 'schedule' });
      expect(!scheduled.ok && scheduled.error.code).toBe('deployment/ref-not-allowed');
      expect(await count(production.id)).toBe(0);

      const tag = await h.deploy(project.id, { sourceRef: 'v1.4.0' });
      await h.succeed(tag.id);
      const main = await h.deploy(project.id, { sourceRef: 'b'.repeat(40), ref: 'main', trigger: 'webhook' });
      expect(main.sourceRef).toBe('b'.repeat(40));
      expect(await count(production.id)).toBe(2);

      // a retry deploys the same commit, checked on the branch the original was checked on
      await h.result({ deploymentId: main.id, outcome: 'failed', failure: { code: 'deployment/build-failed', message: 'boom' } });
      await h.waitFor(main.id, 'failure', (d) => d.status === 'failed');
      const retried = await h.bus.request(retryDeployment, { deploymentId: main.id, actor: anActor() });
      expect(retried.ok && retried.data).toMatchObject({ sourceRef: 'b'.repeat(40), trigger: 'webhook', parentDeploymentId: main.id });
    });

    it('allows any ref when the environment sets none', async () => {
      const { project } = h.directory.addProject();
      const d = await h.deploy(project.id, { sourceRef: 'anything/goes' });
      expect(d.sourceRef).toBe('anything/goes');
    });
  });

  describe('pause after rollback', () => {
    const release = async (projectId: string, sha: string) => {
      const d = await h.deploy(projectId, { sourceRef: 'main' });
      return h.succeed(d.id, {
        commit: { sha, message: sha, author: 'Ada' },
        artifact: { id: `art-${sha}`, sha256: sha.padEnd(64, '0'), sizeBytes: 10, kind: 'static' },
      });
    };
    const rollBack = async (deploymentId: string) => {
      const r = await h.bus.request(rollbackDeployment, { deploymentId, actor: anActor({ id: 'ops' }) });
      if (!r.ok) throw new Error(`rollback refused: ${r.error.code}`);
      return r.data;
    };
    const pauseOf = async (projectId: string, environmentId: string) => {
      const r = await h.bus.request(getEnvironmentPause, { projectId, environmentId });
      if (!r.ok) throw new Error(r.error.code);
      return r.data;
    };
    const push = (projectId: string, sha: string, over = {}) =>
      h.trigger(projectId, { sourceRef: sha, ref: 'main', trigger: 'webhook', ...over });

    it('after a rollback, a push webhook does not deploy until the environment is resumed; a manual trigger needs force', async () => {
      const { project, production } = h.directory.addProject();
      await release(project.id, 'aaa111');
      const v2 = await release(project.id, 'bbb222');
      expect(await pauseOf(project.id, production.id)).toEqual({
        projectId: project.id,
        environmentId: production.id,
        paused: false,
      });

      const rb = await rollBack(v2.id);
      // not paused before the rollback has succeeded
      expect((await pauseOf(project.id, production.id)).paused).toBe(false);
      await h.result({
        deploymentId: rb.id,
        outcome: 'succeeded',
        url: 'http://x.localhost',
        previewUrl: 'http://y.localhost',
      });
      await h.waitFor(rb.id, 'rollback to succeed', (d) => d.status === 'succeeded');
      const paused = await pauseOf(project.id, production.id);
      expect(paused).toEqual({
        projectId: project.id,
        environmentId: production.id,
        paused: true,
        since: expect.any(String),
        rollbackDeploymentId: rb.id,
        pausedBy: 'ops',
      });
      const before = await count(production.id);

      // automatic triggers are refused, forced or not; a manual one without force too
      const pushed = await push(project.id, 'c'.repeat(40));
      expect(!pushed.ok && pushed.error).toMatchObject({
        code: 'deployment/environment-paused',
        details: { rollbackDeploymentId: rb.id, since: paused.since, trigger: 'webhook' },
      });
      const forcedPush = await push(project.id, 'c'.repeat(40), { force: true });
      expect(!forcedPush.ok && forcedPush.error.code).toBe('deployment/environment-paused');
      const scheduled = await h.trigger(project.id, { sourceRef: 'main', trigger: 'schedule' });
      expect(!scheduled.ok && scheduled.error.code).toBe('deployment/environment-paused');
      // a schedule's firing comes due: it fires, records why nothing was deployed, and deploys nothing
      const schedule = await h.bus.request(setDeploymentSchedule, {
        projectId: project.id,
        environmentId: production.id,
        cron: '0 0 2 * * *',
        timezone: 'UTC',
        sourceRef: 'main',
        enabled: true,
        actor: anActor(),
      });
      if (!schedule.ok) throw new Error(schedule.error.message);
      await h.sql(
        `update orchestrator.deployment_schedules set next_run_at = now() - interval '1 second' where id = $1`,
        [schedule.data.id],
      );
      await h.app.get(ScheduleFiring).fireDue();
      const fired = await eventually('the firing to be recorded', async () => {
        const r = await h.bus.request(listDeploymentSchedules, {
          projectId: project.id,
          environmentId: production.id,
        });
        return r.ok && r.data.items[0]?.firings ? r.data.items[0] : undefined;
      });
      expect(fired).toMatchObject({
        firings: 1,
        lastDeploymentId: null,
        lastError: {
          code: 'deployment/environment-paused',
          message: expect.stringContaining('schedule deployments wait until it is resumed'),
        },
      });
      const manual = await h.trigger(project.id, { sourceRef: 'main', trigger: 'api' });
      expect(!manual.ok && manual.error.message).toMatch(/paused since .* resume it, or trigger with force/);
      expect(await count(production.id)).toBe(before);

      // forced: it deploys, and the deployment says which pause it went through
      const forced = await h.deploy(project.id, { sourceRef: 'main', trigger: 'cli', force: true });
      expect(forced.metadata).toMatchObject({
        pauseOverridden: { rollbackDeploymentId: rb.id, since: paused.since },
      });
      const [created] = await h.sql<{ reason: string }>(
        `select reason from orchestrator.deployment_transitions where deployment_id = $1 order by id limit 1`,
        [forced.id],
      );
      expect(created.reason).toContain(`forced through the pause since ${paused.since} (rollback ${rb.id})`);
      await h.succeed(forced.id);
      // a forced deploy does not end the pause
      expect((await pauseOf(project.id, production.id)).paused).toBe(true);

      const resumed = await h.bus.request(resumeEnvironment, {
        projectId: project.id,
        environmentId: production.id,
        actor: anActor({ id: 'lead' }),
      });
      expect(resumed).toEqual({
        ok: true,
        data: {
          projectId: project.id,
          environmentId: production.id,
          paused: false,
          ended: { since: paused.since, rollbackDeploymentId: rb.id, pausedBy: 'ops' },
        },
      });
      const after = await push(project.id, 'd'.repeat(40));
      expect(after.ok && after.data.deployment).toMatchObject({
        trigger: 'webhook',
        sourceRef: 'd'.repeat(40),
      });
      // resuming again changes nothing
      const again = await h.bus.request(resumeEnvironment, {
        projectId: project.id,
        environmentId: production.id,
        actor: anActor(),
      });
      expect(again).toEqual({
        ok: true,
        data: { projectId: project.id, environmentId: production.id, paused: false },
      });
    });

    it('a rollback that fails pauses nothing; another project cannot read or resume the pause', async () => {
      const { project, production } = h.directory.addProject();
      await release(project.id, 'aaa111');
      const v2 = await release(project.id, 'bbb222');
      const rb = await rollBack(v2.id);
      await h.result({
        deploymentId: rb.id,
        outcome: 'failed',
        failure: { code: 'deployment/deploy-failed', message: 'unhealthy' },
      });
      await h.waitFor(rb.id, 'rollback to fail', (d) => d.status === 'failed');
      expect((await pauseOf(project.id, production.id)).paused).toBe(false);
      const pushed = await push(project.id, 'e'.repeat(40));
      expect(pushed.ok).toBe(true);

      const other = h.directory.addProject();
      const read = await h.bus.request(getEnvironmentPause, {
        projectId: other.project.id,
        environmentId: production.id,
      });
      expect(!read.ok && read.error.code).toBe('deployment/environment-not-found');
      const resume = await h.bus.request(resumeEnvironment, {
        projectId: other.project.id,
        environmentId: production.id,
        actor: anActor(),
      });
      expect(!resume.ok && resume.error.code).toBe('deployment/environment-not-found');
    });
  });

  describe('deployments held by protection rules', () => {
    const protect = (environmentId: string, protection: ProtectionRules | null) => {
      const env = h.directory.environments.get(environmentId)!;
      h.directory.environments.set(environmentId, { ...env, protection });
    };
    const decide = (deploymentId: string, over: Partial<DecideApprovalRequest> = {}) =>
      h.bus.request(decideApproval, { deploymentId, actor: anActor({ id: 'admin-1' }), role: 'admin', decision: 'approved', ...over });
    const twoAdmins: ProtectionRules = {
      requiredApprovals: { count: 2, minRole: 'admin', forbidAuthor: true, expiresAfterHours: 168 },
      freezeBehaviour: 'wait',
    };
    // what the sweeper finds due: the stored deadline moved into the past, as time passing would
    const makeDue = (id: string) =>
      h.sql(`update orchestrator.deployments set metadata = jsonb_set(metadata, '{protection,holdUntil}', to_jsonb('2000-01-01T00:00:00Z'::text)) where id = $1`, [id]);

    it('waits for two admin approvals without a slot: roles and the author refused, approving twice idempotent, the second releases it', async () => {
      const { project, production } = h.directory.addProject();
      const running = await h.deploy(project.id);
      protect(production.id, twoAdmins);

      // policy reject, a deployment running: a held one is created all the same (it takes no slot)
      const held = await h.deploy(project.id, { actor: anActor({ id: 'dev' }) });
      expect(held).toMatchObject({ status: 'queued', phase: 'awaiting_approval' });
      expect((held.metadata.protection as { waitingFor: string }).waitingFor).toMatch(/^2 more approvals \(0 of 2\) from a member with role admin or higher, not its author/);

      const deployer = await decide(held.id, { actor: anActor({ id: 'dep' }), role: 'deployer' });
      expect(!deployer.ok && deployer.error.code).toBe('deployment/approval-not-allowed');
      const author = await decide(held.id, { actor: anActor({ id: 'dev' }), role: 'owner' });
      expect(!author.ok && author.error.code).toBe('deployment/approval-by-author');

      const first = await decide(held.id, { comment: 'looks good' });
      expect(first.ok && first.data).toMatchObject({ status: 'queued', phase: 'awaiting_approval' });
      const again = await decide(held.id);
      expect(again.ok && (again.data.metadata.protection as { approvals: { decisions: unknown[] } }).approvals.decisions).toHaveLength(1);
      expect(h.jobsFor(held.id)).toHaveLength(0);

      const second = await decide(held.id, { actor: anActor({ id: 'admin-2' }), role: 'owner' });
      // released into the environment's queue: it waits for the running one, then runs
      expect(second.ok && second.data.phase).toBe('waiting');
      await h.succeed(running.id);
      await h.waitForJob(held.id);
      const decided = h.eventsFor(held.id).filter((e) => e.transition.approval);
      expect(decided.map((e) => [e.transition.approval!.by, e.transition.approval!.given])).toEqual([
        ['admin-1', 1],
        ['admin-2', 2],
      ]);
      const late = await decide(held.id, { actor: anActor({ id: 'admin-3' }) });
      expect(!late.ok && late.error.code).toBe('deployment/not-awaiting-approval');
    });

    it('a rejection or an expiry ends it canceled with the reason', async () => {
      const { project, production } = h.directory.addProject();
      protect(production.id, twoAdmins);
      const rejected = await h.deploy(project.id, { actor: anActor({ id: 'dev' }) });
      const r = await decide(rejected.id, { decision: 'rejected', comment: 'not on a Friday' });
      expect(r.ok && r.data).toMatchObject({ status: 'canceled', errorCode: 'deployment/canceled', errorMessage: 'rejected by user admin-1: not on a Friday' });

      const expiring = await h.deploy(project.id, { actor: anActor({ id: 'dev' }) });
      await decide(expiring.id);
      await makeDue(expiring.id);
      const expired = await h.waitFor(expiring.id, 'its approval to expire', (d) => d.status === 'canceled');
      expect(expired.errorMessage).toMatch(/^approval expired: 1 of 2 approvals by /);
      expect(h.jobsFor(expiring.id)).toHaveLength(0);
    });

    it('a wait timer holds it until its stored deadline, then it runs', async () => {
      const { project, production } = h.directory.addProject();
      protect(production.id, { waitTimerMinutes: 30, freezeBehaviour: 'wait' });
      const d = await h.deploy(project.id);
      expect(d.phase).toBe('waiting_timer');
      const until = Date.parse((d.metadata.protection as { holdUntil: string }).holdUntil);
      expect(until - Date.parse(d.createdAt)).toBeGreaterThanOrEqual(30 * 60_000 - 1_000);
      // as 30 minutes passing would: the timer's stored end (and the hold's next look) in the past
      await h.sql(
        `update orchestrator.deployments set metadata = jsonb_set(jsonb_set(metadata, '{protection,holdUntil}', '"2000-01-01T00:00:00Z"'), '{protection,waitTimer,until}', '"2000-01-01T00:00:00Z"') where id = $1`,
        [d.id],
      );
      await h.waitForJob(d.id);
    });

    it('a push released after a rollback paused the environment does not deploy over it; a manual one does', async () => {
      const { project, production } = h.directory.addProject();
      protect(production.id, { waitTimerMinutes: 5, freezeBehaviour: 'wait' });
      const pushed = await h.deploy(project.id, { sourceRef: 'd'.repeat(40), ref: 'main', trigger: 'webhook' });
      const manual = await h.deploy(project.id);
      expect([pushed.phase, manual.phase]).toEqual(['waiting_timer', 'waiting_timer']);
      // as a rollback that succeeded meanwhile leaves it
      await h.sql(
        `insert into orchestrator.environment_pauses (environment_id, project_id, rollback_deployment_id, paused_by) values ($1, $2, $3, 'ops')`,
        [production.id, project.id, manual.id],
      );
      for (const d of [pushed, manual]) {
        await h.sql(
          `update orchestrator.deployments set metadata = jsonb_set(jsonb_set(metadata, '{protection,holdUntil}', '"2000-01-01T00:00:00Z"'), '{protection,waitTimer,until}', '"2000-01-01T00:00:00Z"') where id = $1`,
          [d.id],
        );
      }
      const canceled = await h.waitFor(pushed.id, 'the push to be canceled', (d) => d.status === 'canceled');
      expect(canceled.errorMessage).toMatch(/^the wait timer ended; but the environment is paused since .* \(rollback .*\): a webhook deployment does not deploy over it$/);
      await h.waitForJob(manual.id);
      expect(h.jobsFor(pushed.id)).toHaveLength(0);
    });

    it('required results: a build that would run no test is refused before anything is created', async () => {
      const { project, production } = h.directory.addProject();
      protect(production.id, { requireTestsPassed: true, freezeBehaviour: 'wait' });
      const refused = await h.trigger(project.id);
      expect(!refused.ok && refused.error.code).toBe('deployment/tests-required');
      expect(await count(production.id)).toBe(0);
      // with a test command (the builder fails the build before any release when it exits non-zero)
      const tested = await h.deploy(project.id, { buildSettings: { testCommand: 'npm test' } });
      expect(tested.metadata.buildSettings).toMatchObject({ testCommand: 'npm test' });
      const skipping = await h.trigger(project.id, { buildSettings: { testCommand: 'npm test', skipBuild: true }, force: true });
      expect(!skipping.ok && skipping.error.code).toBe('deployment/tests-required');
    });

    it('a freeze window covering now holds a trigger (or refuses it), an admin forces through it, and its end releases the held one', async () => {
      const { project, production } = h.directory.addProject();
      const everyMinute = { kind: 'deny' as const, schedule: '* * * * *', timeZone: 'Europe/Paris', durationMinutes: 1 };
      protect(production.id, { freezeWindows: [everyMinute], freezeBehaviour: 'wait' });
      const pushed = await h.deploy(project.id, { sourceRef: 'f'.repeat(40), ref: 'main', trigger: 'webhook' });
      expect(pushed.phase).toBe('frozen');
      // a deployer's force does not go through a freeze; an admin's does, and says so
      const deployerForce = await h.deploy(project.id, { force: true, actorRole: 'deployer' });
      expect(deployerForce.phase).toBe('frozen');
      const forced = await h.deploy(project.id, { force: true, actorRole: 'admin', actor: anActor({ id: 'boss' }) });
      expect(forced.phase).not.toBe('frozen');
      expect(forced.metadata.protection).toMatchObject({ freezeOverridden: { by: 'user boss' } });
      const history = await h.bus.request(getDeploymentProgress, { deploymentId: forced.id });
      expect(history.ok && history.data.items[0].reason).toMatch(/forced through the freeze: deny window '\* \* \* \* \*' \(Europe\/Paris, 1 min\) until .* by admin user boss/);
      await h.succeed(forced.id);

      protect(production.id, { freezeWindows: [everyMinute], freezeBehaviour: 'refuse' });
      const refused = await h.trigger(project.id);
      expect(!refused.ok && refused.error.code).toBe('deployment/environment-frozen');

      // the window removed: the held ones are released at their next look (at most 10 s), oldest first
      protect(production.id, null);
      await h.waitFor(pushed.id, 'the freeze to end', (d) => d.phase !== 'frozen', 25_000);
      await h.waitForJob(pushed.id);
      // its own next look may come a little after the pushed one's: waited for, not assumed
      const deployerReleased = await h.waitFor(deployerForce.id, 'the deployer-forced one to leave the freeze', (d) => d.phase !== 'frozen', 25_000);
      expect(deployerReleased.phase).toBe('waiting');
    }, 60_000);

    it('a window that ends by itself releases the held trigger at its end, the rule unchanged', async () => {
      const { project, production } = h.directory.addProject();
      // a window of this minute only (UTC), ending at the next minute boundary; far enough from that
      // boundary for the trigger to fall inside it
      await eventually('a minute with 30 s left', async () => (new Date().getUTCSeconds() < 30 ? true : undefined), { timeoutMs: 35_000 });
      const now = new Date();
      const end = new Date(now);
      end.setUTCSeconds(60, 0);
      const thisMinute = { kind: 'deny' as const, schedule: `${now.getUTCMinutes()} ${now.getUTCHours()} * * *`, timeZone: 'UTC', durationMinutes: 1 };
      protect(production.id, { freezeWindows: [thisMinute], freezeBehaviour: 'wait' });
      const pushed = await h.deploy(project.id, { sourceRef: 'e'.repeat(40), ref: 'main', trigger: 'webhook' });
      expect(pushed.phase).toBe('frozen');
      const released = await h.waitFor(pushed.id, 'the window to end', (d) => d.phase !== 'frozen', 75_000);
      expect(Date.now()).toBeGreaterThanOrEqual(end.getTime());
      expect(released.status).not.toBe('canceled');
      // released at the first look after the end (looks come at most 10 s apart while frozen)
      const history = await h.bus.request(getDeploymentProgress, { deploymentId: pushed.id });
      const leftFreeze = history.ok ? history.data.items.find((e) => e.phase !== 'frozen' && Date.parse(e.at) >= end.getTime()) : undefined;
      expect(leftFreeze && Date.parse(leftFreeze.at) - end.getTime()).toBeLessThan(15_000);
      await h.waitForJob(pushed.id);
    }, 120_000);
  });
});

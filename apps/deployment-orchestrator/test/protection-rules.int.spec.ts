import {
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
});

import { randomUUID } from 'node:crypto';
import { cancelDeployment, rollbackDeployment } from '@flightdeck/contracts';
import { eventually, sleep } from '@flightdeck/testing';
import { OrchestratorHarness, anActor } from './support/orchestrator-harness';

jest.setTimeout(120_000);

const CANCEL_GRACE_MS = 1_500;

describe('cancel', () => {
  let h: OrchestratorHarness;

  beforeAll(async () => {
    h = await OrchestratorHarness.start({ FLIGHTDECK_CANCEL_GRACE_MS: String(CANCEL_GRACE_MS), FLIGHTDECK_SWEEP_INTERVAL_MS: '200' });
  });
  afterAll(async () => {
    await h?.stop();
  });

  const cancel = (deploymentId: string) => h.bus.request(cancelDeployment, { deploymentId, actor: anActor() });

  it('cancels a queued deployment at once and tells the builder', async () => {
    const { project } = h.directory.addProject();
    const d = await h.deploy(project.id);
    const r = await cancel(d.id);
    expect(r.ok && r.data).toMatchObject({ status: 'canceled', errorCode: 'deployment/canceled' });
    await eventually('the cancel request', async () => h.cancelRequests.find((c) => c.deploymentId === d.id));
    // the slot is free again
    expect((await h.trigger(project.id)).ok).toBe(true);
  });

  it('waits for the builder to confirm a running deployment stopped', async () => {
    const { project } = h.directory.addProject();
    const d = await h.deploy(project.id);
    await h.progress({ deploymentId: d.id, stage: 'building', phase: 'building' });
    await h.waitFor(d.id, 'building', (x) => x.status === 'building');

    const r = await cancel(d.id);
    expect(r.ok && r.data.status).toBe('building');
    expect(r.ok && r.data.cancelRequestedAt).toBeTruthy();
    expect(await eventually('the cancel request', async () => h.cancelRequests.find((c) => c.deploymentId === d.id))).toEqual({
      deploymentId: d.id,
      attempt: 1,
      reason: 'canceled',
    });
    // asking again while the builder works on it changes nothing and sends nothing new
    expect((await cancel(d.id)).ok).toBe(true);

    await h.result({ deploymentId: d.id, outcome: 'canceled' });
    const canceled = await h.waitFor(d.id, 'canceled', (x) => x.status === 'canceled');
    expect(canceled.errorMessage).toBe('canceled by user user-1');
    expect(h.cancelRequests.filter((c) => c.deploymentId === d.id)).toHaveLength(1);
  });

  it('marks a running deployment canceled when the builder never confirms', async () => {
    const { project } = h.directory.addProject();
    const d = await h.deploy(project.id);
    await h.progress({ deploymentId: d.id, stage: 'deploying', phase: 'releasing' });
    await h.waitFor(d.id, 'deploying', (x) => x.status === 'deploying');
    const asked = Date.now();
    await cancel(d.id);
    await sleep(CANCEL_GRACE_MS / 2);
    expect((await h.get(d.id)).status).toBe('deploying');
    const canceled = await h.waitFor(d.id, 'canceled', (x) => x.status === 'canceled', CANCEL_GRACE_MS + 5_000);
    expect(Date.now() - asked).toBeGreaterThanOrEqual(CANCEL_GRACE_MS);
    expect(canceled.errorMessage).toMatch(/did not confirm/);
  });

  it('refuses to cancel a finished or unknown deployment, changing nothing', async () => {
    const { project } = h.directory.addProject();
    const d = await h.succeed((await h.deploy(project.id)).id);
    const r = await cancel(d.id);
    expect(!r.ok && r.error.code).toBe('deployment/invalid-state');
    expect(await h.get(d.id)).toEqual(d);
    const unknown = await cancel(randomUUID());
    expect(!unknown.ok && unknown.error.code).toBe('deployment/not-found');
  });
});

describe('rollback', () => {
  let h: OrchestratorHarness;

  beforeAll(async () => {
    h = await OrchestratorHarness.start();
  });
  afterAll(async () => {
    await h?.stop();
  });

  const rollback = (deploymentId: string, targetDeploymentId?: string) =>
    h.bus.request(rollbackDeployment, { deploymentId, targetDeploymentId, actor: anActor({ id: 'ops' }) });

  const release = async (projectId: string, sha: string) => {
    const d = await h.deploy(projectId);
    return h.succeed(d.id, {
      commit: { sha, message: `commit ${sha}`, author: 'Ada' },
      artifact: { id: `art-${sha}`, sha256: sha.padEnd(64, '0'), sizeBytes: 10, kind: 'static' },
    });
  };

  it('releases the previous successful deployment again, without a build', async () => {
    const { project, production } = h.directory.addProject('blog');
    const v1 = await release(project.id, 'aaa111');
    const v2 = await release(project.id, 'bbb222');

    const r = await rollback(v2.id);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const rb = r.data;
    expect(rb.id).not.toBe(v2.id);
    expect(rb).toMatchObject({
      trigger: 'rollback',
      status: 'queued',
      rollbackTargetId: v1.id,
      environmentId: production.id,
      sourceRef: v1.sourceRef,
      commitSha: 'aaa111',
      triggeredBy: 'ops',
    });
    expect(await h.waitForJob(rb.id)).toEqual({
      deploymentId: rb.id,
      attempt: 1,
      kind: 'rollback',
      projectId: project.id,
      projectName: 'blog',
      environmentId: production.id,
      environmentName: 'production',
      repositoryUrl: project.repositoryUrl,
      sourceRef: v1.sourceRef,
      target: { deploymentId: v1.id, artifact: v1.artifact },
    });

    // the builder releases it without building: initializing, then deploying
    await h.progress({ deploymentId: rb.id, stage: 'initializing', phase: 'validating', progress: 10 });
    await h.progress({ deploymentId: rb.id, stage: 'deploying', phase: 'updating_routes', progress: 90 });
    await h.result({ deploymentId: rb.id, outcome: 'succeeded', url: v1.url!, previewUrl: v1.previewUrl! });
    const done = await h.waitFor(rb.id, 'rollback to succeed', (x) => x.status === 'succeeded');
    expect(done.artifact).toEqual(v1.artifact);
  });

  it('rolls back to an explicitly chosen deployment', async () => {
    const { project } = h.directory.addProject();
    const v1 = await release(project.id, 'c1');
    await release(project.id, 'c2');
    const v3 = await release(project.id, 'c3');
    const r = await rollback(v3.id, v1.id);
    expect(r.ok && r.data.rollbackTargetId).toBe(v1.id);
    expect((await h.waitForJob(r.ok ? r.data.id : '')).target?.deploymentId).toBe(v1.id);
  });

  it('has no target when nothing succeeded before', async () => {
    const { project } = h.directory.addProject();
    const only = await release(project.id, 'd1');
    const r = await rollback(only.id);
    expect(!r.ok && r.error.code).toBe('deployment/no-rollback-target');
  });

  it('refuses a target that failed, or belongs to another environment', async () => {
    const { project } = h.directory.addProject();
    const good = await release(project.id, 'e1');
    const bad = await h.deploy(project.id);
    await h.result({ deploymentId: bad.id, outcome: 'failed', failure: { code: 'deployment/build-failed', message: 'x' } });
    await h.waitFor(bad.id, 'failure', (x) => x.status === 'failed');
    const toFailed = await rollback(good.id, bad.id);
    expect(!toFailed.ok && toFailed.error.code).toBe('deployment/invalid-state');

    const other = h.directory.addProject();
    const elsewhere = await release(other.project.id, 'f1');
    const toOther = await rollback(good.id, elsewhere.id);
    expect(!toOther.ok && toOther.error.code).toBe('deployment/no-rollback-target');
    const unknown = await rollback(randomUUID());
    expect(!unknown.ok && unknown.error.code).toBe('deployment/not-found');
  });

  it('obeys one active deployment per environment', async () => {
    const { project } = h.directory.addProject();
    const v1 = await release(project.id, 'g1');
    const v2 = await release(project.id, 'g2');
    const running = await h.deploy(project.id);
    const r = await rollback(v2.id, v1.id);
    expect(r).toEqual({ ok: false, error: expect.objectContaining({ code: 'deployment/already-running', details: { deploymentId: running.id } }) });
  });
});

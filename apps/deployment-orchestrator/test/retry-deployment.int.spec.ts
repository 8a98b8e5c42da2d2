import { randomUUID } from 'node:crypto';
import { retryDeployment } from '@flightdeck/contracts';
import { eventually } from '@flightdeck/testing';
import { OrchestratorHarness, anActor } from './support/orchestrator-harness';

jest.setTimeout(120_000);

describe('retry', () => {
  let h: OrchestratorHarness;

  beforeAll(async () => {
    h = await OrchestratorHarness.start({ FLIGHTDECK_AUTO_RETRY_DELAY_MS: '300', FLIGHTDECK_SWEEP_INTERVAL_MS: '200' });
  });
  afterAll(async () => {
    await h?.stop();
  });

  const retry = (deploymentId: string, clearCache?: boolean) =>
    h.bus.request(retryDeployment, { deploymentId, actor: anActor(), ...(clearCache === undefined ? {} : { clearCache }) });

  const failed = async (projectId: string) => {
    const d = await h.deploy(projectId);
    await h.waitForJob(d.id);
    await h.result({
      deploymentId: d.id,
      outcome: 'failed',
      commit: { sha: 'b'.repeat(40), message: 'broken', author: 'Ada <ada@example.com>' },
      failure: { code: 'deployment/build-failed', step: 'build', message: 'build failed: npm run build exited with code 1' },
    });
    return h.waitFor(d.id, 'failed', (x) => x.status === 'failed');
  };

  it('deploys the same commit again as a child of the failed deployment, counting the retries', async () => {
    const { project } = h.directory.addProject();
    const original = await failed(project.id);
    expect(original.errorClass).toMatchObject({ severity: 'recoverable', actions: ['check-build', 'check-variables'] });

    const first = await retry(original.id, true);
    expect(first.ok).toBe(true);
    if (!first.ok) return;
    expect(first.data).toMatchObject({
      status: 'queued',
      parentDeploymentId: original.id,
      environmentId: original.environmentId,
      sourceRef: 'b'.repeat(40),
      metadata: { retryOf: original.id, retryCount: 1, clearCache: true },
    });
    const job = await h.waitForJob(first.data.id);
    expect(job).toMatchObject({ kind: 'build', sourceRef: 'b'.repeat(40), clearCache: true });

    await h.result({ deploymentId: first.data.id, outcome: 'failed', failure: { code: 'deployment/build-failed', step: 'build', message: 'again' } });
    await h.waitFor(first.data.id, 'failed', (x) => x.status === 'failed');
    const second = await retry(first.data.id);
    expect(second.ok && second.data).toMatchObject({ parentDeploymentId: first.data.id, metadata: { retryCount: 2 } });
    if (second.ok) expect((await h.waitForJob(second.data.id)).clearCache).toBeUndefined();
  });

  it('retries a temporary failure automatically, with backoff, twice at most; a build failure never', async () => {
    const { project } = h.directory.addProject();
    const failWith = async (id: string, code: string) => {
      await h.waitForJob(id);
      await h.result({ deploymentId: id, outcome: 'failed', failure: { code: code as 'deployment/source-unavailable', step: 'clone', message: 'network' } });
      return h.waitFor(id, 'failed', (x) => x.status === 'failed');
    };
    const childOf = (id: string) =>
      eventually(`the automatic retry of ${id}`, async () => (await h.sql<{ id: string }>('select id from orchestrator.deployments where parent_deployment_id = $1', [id]))[0]?.id, {
        timeoutMs: 10_000,
      });

    const original = await h.deploy(project.id);
    const failed = await failWith(original.id, 'deployment/source-unavailable');
    expect(failed.metadata.autoRetryAt).toBeTruthy();
    const first = await childOf(original.id);
    expect(await h.get(first)).toMatchObject({ parentDeploymentId: original.id, metadata: { retryCount: 1 }, triggeredBy: 'auto-retry' });
    await failWith(first, 'deployment/source-unavailable');
    const second = await childOf(first);
    expect((await h.get(second)).metadata).toMatchObject({ retryCount: 2 });
    const last = await failWith(second, 'deployment/source-unavailable');
    expect(last.metadata.autoRetryAt).toBeUndefined();
    expect((await h.get(original.id)).metadata).toMatchObject({ autoRetriedBy: first });

    // a failure the user must fix is not retried
    const { project: other } = h.directory.addProject();
    const broken = await h.deploy(other.id);
    expect((await failWith(broken.id, 'deployment/build-failed')).metadata.autoRetryAt).toBeUndefined();
  });

  it('refuses to retry a deployment that is still active, and changes nothing', async () => {
    const { project } = h.directory.addProject();
    const running = await h.deploy(project.id);
    const r = await retry(running.id);
    expect(!r.ok && r.error.code).toBe('deployment/invalid-state');
    const rows = await h.sql<{ n: number }>('select count(*)::int as n from orchestrator.deployments where project_id = $1', [project.id]);
    expect(rows).toEqual([{ n: 1 }]);
  });

  it('answers not found for a deployment that does not exist', async () => {
    const r = await retry(randomUUID());
    expect(!r.ok && r.error.code).toBe('deployment/not-found');
  });
});

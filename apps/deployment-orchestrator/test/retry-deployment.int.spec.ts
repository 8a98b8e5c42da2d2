import { randomUUID } from 'node:crypto';
import { retryDeployment } from '@flightdeck/contracts';
import { OrchestratorHarness, anActor } from './support/orchestrator-harness';

jest.setTimeout(120_000);

describe('retry', () => {
  let h: OrchestratorHarness;

  beforeAll(async () => {
    h = await OrchestratorHarness.start();
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

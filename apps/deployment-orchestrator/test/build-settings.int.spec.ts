import { type TriggerDeploymentRequest, retryDeployment, triggerDeployment } from '@flightdeck/contracts';
import { OrchestratorHarness, anActor } from './support/orchestrator-harness';

jest.setTimeout(120_000);

describe('build settings of a deployment', () => {
  let h: OrchestratorHarness;
  beforeAll(async () => (h = await OrchestratorHarness.start()));
  afterAll(async () => h?.stop());

  it("snapshots the environment's settings with the trigger's over them into the deployment and its job; a later change reaches only later deployments", async () => {
    const { project, production } = h.directory.addProject();
    production.buildSettings = { rootDirectory: 'apps/web', buildCommand: 'npm run build', healthCheckPath: '/healthz' };

    const d = await h.deploy(project.id, { buildSettings: { buildCommand: 'npm run build:staging', skipBuild: false } });
    const expected = { rootDirectory: 'apps/web', buildCommand: 'npm run build:staging', healthCheckPath: '/healthz', skipBuild: false };
    expect(d.metadata.buildSettings).toEqual(expected);
    expect((await h.waitForJob(d.id)).buildSettings).toEqual(expected);

    production.buildSettings = { rootDirectory: 'apps/admin' };
    expect((await h.get(d.id)).metadata.buildSettings).toEqual(expected);
    await h.result({ deploymentId: d.id, outcome: 'failed', failure: { code: 'deployment/build-failed', message: 'build failed' } });
    await h.waitFor(d.id, 'failed', (x) => x.status === 'failed');

    // a retry builds what its parent built
    const retried = await h.bus.request(retryDeployment, { deploymentId: d.id, actor: anActor() });
    expect(retried.ok && retried.data.metadata.buildSettings).toEqual(expected);
    if (retried.ok) expect((await h.waitForJob(retried.data.id)).buildSettings).toEqual(expected);
  });

  it('sends no settings when neither the environment nor the trigger sets any', async () => {
    const { project } = h.directory.addProject();
    const d = await h.deploy(project.id);
    expect(d.metadata.buildSettings).toBeUndefined();
    expect((await h.waitForJob(d.id)).buildSettings).toBeUndefined();
    expect((await h.waitForJob(d.id)).clearCache).toBeUndefined();
  });

  it('asks the builder to empty the build cache first when the trigger says clearCache, and records it', async () => {
    const { project } = h.directory.addProject();
    const d = await h.deploy(project.id, { clearCache: true });
    expect(d.metadata.clearCache).toBe(true);
    expect((await h.waitForJob(d.id)).clearCache).toBe(true);
  });

  it("refuses a trigger whose settings leave the repository, naming the field", async () => {
    const { project } = h.directory.addProject();
    const r = await h.bus.request(triggerDeployment, {
      projectId: project.id,
      sourceRef: 'main',
      trigger: 'api',
      actor: anActor(),
      buildSettings: { rootDirectory: '../other-project' },
    } as TriggerDeploymentRequest);
    expect(!r.ok && r.error).toMatchObject({ code: 'validation/invalid-input', message: expect.stringMatching(/^buildSettings\.rootDirectory: must stay inside the repository/) });
  });
});

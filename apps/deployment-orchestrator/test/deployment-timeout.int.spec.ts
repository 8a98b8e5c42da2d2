import type { INestApplication } from '@nestjs/common';
import { eventually } from '@flightdeck/testing';
import { OrchestratorHarness } from './support/orchestrator-harness';

jest.setTimeout(120_000);

const TIMEOUT_MS = 1_500;

describe('deployment timeout', () => {
  let h: OrchestratorHarness;
  let replica: INestApplication;

  beforeAll(async () => {
    const env = { FLIGHTDECK_DEPLOY_TIMEOUT_MS: String(TIMEOUT_MS), FLIGHTDECK_SWEEP_INTERVAL_MS: '100' };
    h = await OrchestratorHarness.start(env);
    // a second replica sweeps the same table: each deployment must still time out once
    replica = await h.startReplica(env);
  });
  afterAll(async () => {
    await replica?.close();
    await h?.stop();
  });

  it('ends a deployment active past the limit as timeout and tells the builder to stop', async () => {
    const { project } = h.directory.addProject();
    const d = await h.deploy(project.id);
    await h.progress({ deploymentId: d.id, stage: 'building', phase: 'building', progress: 30 });
    await h.waitFor(d.id, 'building', (x) => x.status === 'building');
    // not before the limit: finishedAt - createdAt is checked below (a mid-way look after a fixed
    // pause failed on a loaded machine whenever the pause itself ran late)

    const ended = await h.waitFor(d.id, 'timeout', (x) => x.status === 'timeout', TIMEOUT_MS + 5_000);
    expect(ended).toMatchObject({ phase: 'failed', errorCode: 'deployment/timeout' });
    expect(new Date(ended.finishedAt!).getTime() - new Date(ended.createdAt).getTime()).toBeGreaterThanOrEqual(TIMEOUT_MS);
    expect(await eventually('the stop request', async () => h.cancelRequests.find((c) => c.deploymentId === d.id))).toEqual({
      deploymentId: d.id,
      attempt: 1,
      reason: 'timeout',
    });

    // the builder's late result changes nothing
    await h.result({ deploymentId: d.id, outcome: 'succeeded', url: 'http://late.localhost' });
    await h.buildEventsHandled();
    expect(await h.get(d.id)).toEqual(ended);
    const rows = await h.sql<{ n: number }>(
      `select count(*)::int as n from orchestrator.deployment_transitions where deployment_id = $1 and to_status = 'timeout'`,
      [d.id],
    );
    expect(rows[0].n).toBe(1);
    expect(h.cancelRequests.filter((c) => c.deploymentId === d.id)).toHaveLength(1);
  });

  it('frees the environment for the next deployment', async () => {
    const { project } = h.directory.addProject();
    const d = await h.deploy(project.id);
    await h.waitFor(d.id, 'timeout', (x) => x.status === 'timeout', TIMEOUT_MS + 5_000);
    const next = await h.trigger(project.id);
    expect(next.ok && next.data.deployment.status).toBe('queued');
  });
});

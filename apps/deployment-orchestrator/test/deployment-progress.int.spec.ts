import { randomUUID } from 'node:crypto';
import { getDeploymentProgress } from '@flightdeck/contracts';
import { OrchestratorHarness } from './support/orchestrator-harness';

jest.setTimeout(120_000);

describe('progress history', () => {
  let h: OrchestratorHarness;

  beforeAll(async () => {
    h = await OrchestratorHarness.start();
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('lists every status and phase of a deployment with its time and percentage, and the time spent in each', async () => {
    const { project } = h.directory.addProject();
    const d = await h.deploy(project.id);
    await h.succeed(d.id);

    const r = await h.bus.request(getDeploymentProgress, { deploymentId: d.id });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const { items, timings } = r.data;
    expect(items.map((i) => [i.status, i.phase])).toEqual([
      ['created', 'queued'],
      ['queued', 'queued'],
      ['initializing', 'pulling_source'],
      ['building', 'building'],
      ['deploying', 'releasing'],
      ['succeeded', 'active'],
    ]);
    expect(items.map((i) => i.progress)).toEqual([...items.map((i) => i.progress)].sort((a, b) => a - b));
    expect(items[items.length - 1].progress).toBe(100);
    const times = items.map((i) => Date.parse(i.at));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(timings.totalMs).toBe(times[times.length - 1] - times[0]);
    expect(timings.queueWaitMs).toBe(times[2] - times[0]);
    expect(Object.keys(timings.phaseMs).sort()).toEqual(['building', 'pulling_source', 'queued', 'releasing']);
    expect(Object.values(timings.statusMs).reduce((a, b) => a + b, 0)).toBe(timings.totalMs);
  });

  it('answers not found for a deployment that does not exist', async () => {
    const r = await h.bus.request(getDeploymentProgress, { deploymentId: randomUUID() });
    expect(!r.ok && r.error.code).toBe('deployment/not-found');
  });
});

import { randomUUID } from 'node:crypto';
import { register } from 'prom-client';
import { getDeploymentProgress } from '@flightdeck/contracts';
import { eventually } from '@flightdeck/testing';
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
      ['queued', 'validating'],
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
    expect(timings.queueWaitMs).toBe(times[3] - times[0]);
    expect(Object.keys(timings.phaseMs).sort()).toEqual(['building', 'pulling_source', 'queued', 'releasing', 'validating']);
    expect(Object.values(timings.statusMs).reduce((a, b) => a + b, 0)).toBe(timings.totalMs);
  });

  // what the service's /metrics serves (the app runs in this process, on prom-client's registry)
  it('counts triggered and finished deployments by status and error code, and their durations', async () => {
    const { project, production } = h.directory.addProject();
    const ok = await h.deploy(project.id);
    await h.succeed(ok.id);
    const bad = await h.deploy(project.id);
    await h.result({ deploymentId: bad.id, outcome: 'failed', failure: { code: 'deployment/build-failed', step: 'build', message: 'no' } });
    // one series of a metric, whatever the order of its labels (the service adds service and instance)
    const series = (name: string, labels: string, value: string) => ({
      test: (text: string) =>
        text
          .split('\n')
          .some(
            (line) =>
              line.startsWith(`${name}{`) &&
              line.endsWith(`} ${value}`) &&
              [`project="${project.id}"`, `environment="${production.id}"`, ...labels.split(',').filter(Boolean)].every((l) => line.includes(l)),
          ),
    });
    const metrics = await eventually(
      'both deployments counted',
      async () => {
        const text = await register.metrics();
        return series('flightdeck_deployments_finished_total', 'status="failed",error_code="deployment/build-failed"', '1').test(text) ? text : undefined;
      },
      { timeoutMs: 10_000 },
    );
    expect(series('flightdeck_deployments_triggered_total', 'trigger="api"', '2').test(metrics)).toBe(true);
    expect(series('flightdeck_deployments_finished_total', 'status="succeeded",error_code=""', '1').test(metrics)).toBe(true);
    expect(series('flightdeck_deployment_duration_seconds_count', 'status="succeeded"', '1').test(metrics)).toBe(true);
    expect(series('flightdeck_artifact_size_bytes_sum', '', '1234').test(metrics)).toBe(true);
  });

  it('answers not found for a deployment that does not exist', async () => {
    const r = await h.bus.request(getDeploymentProgress, { deploymentId: randomUUID() });
    expect(!r.ok && r.error.code).toBe('deployment/not-found');
  });
});

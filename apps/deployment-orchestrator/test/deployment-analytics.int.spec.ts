import { randomUUID } from 'node:crypto';
import { getProjectAnalytics } from '@flightdeck/contracts';
import { OrchestratorHarness } from './support/orchestrator-harness';

jest.setTimeout(120_000);

const BASE = Date.parse('2026-11-01T00:00:00Z');
const at = (s: number) => new Date(BASE + s * 1000);

describe('project analytics', () => {
  let h: OrchestratorHarness;

  beforeAll(async () => {
    h = await OrchestratorHarness.start();
  });
  afterAll(async () => {
    await h?.stop();
  });

  // A deployment as the orchestrator would have stored it: queued at 0, started after `queue` s,
  // building `build` s, releasing 2 s, then its end; with its history.
  const seed = async (projectId: string, environmentId: string, start: number, o: { queue: number; build: number; status: string; errorCode?: string }) => {
    const id = randomUUID();
    const started = start + o.queue;
    const ended = started + o.build + 2;
    await h.sql(
      `insert into orchestrator.deployments (id, project_id, environment_id, source_ref, triggered_by, "trigger", status, phase, progress,
         error_code, created_at, updated_at, queued_at, started_at, finished_at, duration_ms)
       values ($1, $2, $3, 'main', 'seed', 'api', $4, 'active', 100, $5, $6, $8, $6, $7, $8, $9)`,
      [id, projectId, environmentId, o.status, o.errorCode ?? null, at(start), at(started), at(ended), (ended - started) * 1000],
    );
    const history: [string | null, string, string, number][] = [
      [null, 'created', 'queued', start],
      ['created', 'queued', 'queued', start],
      ['queued', 'building', 'building', started],
      ['building', 'deploying', 'releasing', started + o.build],
      ['deploying', o.status, o.status === 'succeeded' ? 'active' : 'failed', ended],
    ];
    for (const [from, to, phase, s] of history) {
      await h.sql(
        `insert into orchestrator.deployment_transitions (deployment_id, from_status, to_status, phase, progress, at, reason) values ($1, $2, $3, $4, 0, $5, null)`,
        [id, from, to, phase, at(s)],
      );
    }
  };

  it('gives counts, success rate, percentiles of times and phases, and the top errors of a window', async () => {
    const { project, production } = h.directory.addProject();
    const otherEnv = randomUUID();
    // 4 succeeded (queue 1..4 s, build 10..40 s), 1 failed (build), 1 timeout, 1 canceled, in production
    for (let i = 1; i <= 4; i++) await seed(project.id, production.id, i * 100, { queue: i, build: i * 10, status: 'succeeded' });
    await seed(project.id, production.id, 500, { queue: 1, build: 5, status: 'failed', errorCode: 'deployment/build-failed' });
    await seed(project.id, production.id, 600, { queue: 1, build: 5, status: 'timeout', errorCode: 'deployment/timeout' });
    await seed(project.id, production.id, 700, { queue: 1, build: 5, status: 'canceled', errorCode: 'deployment/canceled' });
    // another environment, and one outside the window
    await seed(project.id, otherEnv, 800, { queue: 1, build: 5, status: 'failed', errorCode: 'deployment/build-failed' });
    await seed(project.id, production.id, 90_000, { queue: 1, build: 5, status: 'succeeded' });

    const r = await h.bus.request(getProjectAnalytics, {
      projectId: project.id,
      environmentId: production.id,
      from: at(0).toISOString(),
      to: at(3600).toISOString(),
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const a = r.data;
    expect(a.total).toBe(7);
    expect(a.byStatus).toEqual({ succeeded: 4, failed: 1, timeout: 1, canceled: 1 });
    expect(a.successRate).toBeCloseTo(4 / 6);
    // queue waits 1,2,3,4,1,1,1 s: median 1 s
    expect(a.queueWaitMs).toEqual({ p50: 1000, p95: expect.any(Number) });
    expect(a.queueWaitMs.p95).toBeGreaterThan(3000);
    // build phases 10,20,30,40,5,5,5 s: median 10 s
    expect(a.phaseMs.building.p50).toBe(10_000);
    expect(a.phaseMs.releasing).toEqual({ p50: 2000, p95: 2000 });
    expect(a.topErrors).toEqual([
      { code: 'deployment/build-failed', count: 1 },
      { code: 'deployment/timeout', count: 1 },
    ]);

    const all = await h.bus.request(getProjectAnalytics, { projectId: project.id, from: at(0).toISOString(), to: at(3600).toISOString() });
    expect(all.ok && all.data.total).toBe(8);
    expect(all.ok && all.data.topErrors[0]).toEqual({ code: 'deployment/build-failed', count: 2 });
  });

  it('refuses a window that ends before it starts, and an unknown project', async () => {
    const { project } = h.directory.addProject();
    const backwards = await h.bus.request(getProjectAnalytics, { projectId: project.id, from: at(10).toISOString(), to: at(0).toISOString() });
    expect(!backwards.ok && backwards.error.code).toBe('validation/invalid-input');
    const unknown = await h.bus.request(getProjectAnalytics, { projectId: randomUUID() });
    expect(!unknown.ok && unknown.error.code).toBe('project/not-found');
  });
});

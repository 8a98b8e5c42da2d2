import { buildHeartbeat, subjectFor } from '@flightdeck/contracts';
import { encodeEvent } from '@flightdeck/messaging';
import { eventually } from '@flightdeck/testing';
import { OrchestratorHarness } from './support/orchestrator-harness';

jest.setTimeout(120_000);

// The builder running a deployment stops before it ends: it reports build/interrupted (a shutdown,
// or another replica's stale-job sweeper for a killed one), or nothing at all (every builder gone,
// or the job lost). The test plays the builders.
describe('deployments whose builder was lost', () => {
  let h: OrchestratorHarness;

  beforeAll(async () => {
    h = await OrchestratorHarness.start({ FLIGHTDECK_MAX_ATTEMPTS: '3', FLIGHTDECK_STUCK_AFTER_MS: '5000', FLIGHTDECK_AUTO_RETRIES: '0' });
  });
  afterAll(async () => {
    await h?.stop();
  });

  const interrupted = (deploymentId: string, attempt: number, lastSeq: number) =>
    h.result({
      deploymentId,
      attempt,
      outcome: 'failed',
      lastSeq,
      failure: { code: 'build/interrupted', step: 'build', message: `the builder running attempt ${attempt} (b-${attempt}) stopped during the build step` },
    });

  const beat = (deploymentId: string, attempt: number, lastSeq = 5) =>
    h.nc.publish(
      subjectFor(buildHeartbeat.subject, deploymentId),
      encodeEvent(buildHeartbeat, { deploymentId, attempt, builder: `b-${attempt}`, step: 'build', lastSeq }),
    );

  it('sends an interrupted deployment to a builder again, its log continuing, and finishes it with the next attempt', async () => {
    const { project } = h.directory.addProject();
    const d = await h.deploy(project.id);
    const first = await h.waitForJob(d.id);
    expect(first).toMatchObject({ attempt: 1 });
    expect(first.firstSeq).toBeUndefined();
    await h.progress({ deploymentId: d.id, stage: 'building', phase: 'building', progress: 40 });
    await interrupted(d.id, 1, 17);

    const second = await eventually('attempt 2 job', async () => h.jobsFor(d.id).find((j) => j.attempt === 2));
    expect(second).toEqual({ ...first, attempt: 2, firstSeq: 18 });
    const during = await h.get(d.id);
    expect(during).toMatchObject({ status: 'building', phase: 'queued', attempt: 2 });
    const history = await h.sql<{ reason: string }>(`select reason from orchestrator.deployment_transitions where deployment_id = $1 order by id`, [d.id]);
    expect(history.map((t) => t.reason)).toContain(
      'attempt 1 ended: the builder running attempt 1 (b-1) stopped during the build step; sent to a builder again: attempt 2 of 3',
    );

    // the first attempt's builder, should it still report, changes nothing
    await h.result({ deploymentId: d.id, attempt: 1, outcome: 'failed', failure: { code: 'deployment/build-failed', step: 'build', message: 'late' } });
    await h.buildEventsHandled();
    expect((await h.get(d.id)).status).toBe('building');

    const done = await h.succeed(d.id, { attempt: 2 });
    expect(done).toMatchObject({ status: 'succeeded', attempt: 2 });
  });

  it('fails with build/interrupted once the attempts are used up', async () => {
    const { project } = h.directory.addProject();
    const d = await h.deploy(project.id);
    for (const attempt of [1, 2, 3]) {
      await eventually(`job of attempt ${attempt}`, async () => h.jobsFor(d.id).find((j) => j.attempt === attempt));
      await interrupted(d.id, attempt, attempt * 10);
    }
    const failed = await h.waitFor(d.id, 'failed', (x) => x.status === 'failed');
    expect(failed).toMatchObject({ attempt: 3, errorCode: 'build/interrupted' });
    expect(failed.errorMessage).toContain('no attempt is left (3 of 3)');
    expect(h.jobsFor(d.id)).toHaveLength(3);
  });

  it('keeps a deployment whose builder heartbeats; sends one that went silent again, within the stuck threshold plus a sweep', async () => {
    const { project } = h.directory.addProject();
    const alive = await h.deploy(project.id);
    const other = h.directory.addProject();
    const silent = await h.deploy(other.project.id);
    await h.waitForJob(alive.id);
    await h.waitForJob(silent.id);
    await h.progress({ deploymentId: alive.id, stage: 'building', phase: 'building', progress: 40 });
    await h.progress({ deploymentId: silent.id, stage: 'building', phase: 'building', progress: 40 });

    // the live one beats every second; a heartbeat of an attempt that is not current changes nothing
    const timer = setInterval(() => {
      beat(alive.id, 1, 9);
      beat(silent.id, 7);
    }, 1_000);
    try {
      const resent = await eventually('the silent deployment sent again', async () => h.jobsFor(silent.id).find((j) => j.attempt === 2), {
        timeoutMs: 30_000,
      });
      expect(resent.firstSeq).toBeUndefined();
      const reasons = await h.sql<{ reason: string }>(`select reason from orchestrator.deployment_transitions where deployment_id = $1 order by id`, [silent.id]);
      expect(reasons.map((r) => r.reason).join('\n')).toMatch(/no heartbeat from a builder and no progress for 5 s \(attempt 1, phase building\); sent to a builder again: attempt 2 of 3/);
      // by then the live one had been silent as long, but for its heartbeats
      expect(await h.get(alive.id)).toMatchObject({ status: 'building', attempt: 1 });
      expect(h.jobsFor(alive.id)).toHaveLength(1);
      const [row] = await h.sql<{ last: number }>(`select (metadata->>'lastLogSeq')::int as last from orchestrator.deployments where id = $1`, [alive.id]);
      expect(row.last).toBe(9);
    } finally {
      clearInterval(timer);
    }
  });
});

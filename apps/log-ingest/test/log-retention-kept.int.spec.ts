import { randomUUID } from 'node:crypto';
import { type Deployment, type DeploymentStatus, deploymentStatusChanged, listLogLines, pinLogLines, setLogRetention, subjectFor } from '@flightdeck/contracts';
import { encodeEnvelope } from '@flightdeck/messaging';
import { aDeployment, eventually } from '@flightdeck/testing';
import { LogPartitionsRepository } from '../src/partitions/log-partitions.repository';
import { LogPartitionsService } from '../src/partitions/log-partitions.service';
import { utcDay } from '../src/partitions/partition-days';
import { LogIngestHarness } from './support/log-ingest-harness';

const DAY_MS = 86_400_000;
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

// What outlives the operator's retention (30 days by default): a project's own longer retention,
// the current release of an environment; and what goes sooner: a project's own shorter one.
// Each deployment has 40 lines, seq n printed n - 1 days ago, one day partition a day.
describe('log retention: per project, and kept lines', () => {
  let h: LogIngestHarness;
  const now = new Date();
  const longer = aDeployment(); // its project keeps lines 60 days
  const shorter = aDeployment(); // its project keeps lines 3 days
  const release = aDeployment(); // the current release of its environment
  const plain = aDeployment();
  const pinned = aDeployment();
  const replaced = aDeployment({ environmentId: release.environmentId }); // released before `release`

  const announce = (d: Deployment, to: DeploymentStatus, at: string) =>
    h.nc.jetstream().publish(
      subjectFor(deploymentStatusChanged.subject, d.id),
      encodeEnvelope(deploymentStatusChanged.subject, 1, {
        deployment: { ...d, status: to, finishedAt: to === 'succeeded' ? at : null },
        transition: { from: 'deploying', to, phase: 'active', at, reason: null },
      }),
      { msgID: randomUUID() },
    );

  const retention = async (projectId: string, days: number | null) => {
    const r = await h.bus.request(setLogRetention, { projectId, days });
    if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
    return r.data;
  };

  const stored = async (d: Deployment) => {
    const page = await h.bus.request(listLogLines, { deploymentId: d.id, afterSeq: 0, limit: 100 });
    if (!page.ok) throw new Error(page.error.message);
    return page.data.items.map((l) => l.seq);
  };

  beforeAll(async () => {
    h = await LogIngestHarness.start();
    await h.app.get(LogPartitionsRepository).ensureDays(range(0, 39).map((d) => utcDay(now, -d)));
    for (const d of [longer, shorter, release, plain, replaced, pinned]) {
      await h.db.query(
        `insert into logs.log_lines (deployment_id, seq, ts, level, source, step, message)
         select $1, s, $2::timestamptz - (s - 1) * interval '1 day', 'info', 'build', 'build', 'line ' || s from generate_series(1, 40) s`,
        [d.id, now.toISOString()],
      );
    }
    await announce(replaced, 'succeeded', new Date(now.getTime() - 2 * DAY_MS).toISOString());
    await announce(release, 'succeeded', new Date(now.getTime() - DAY_MS).toISOString());
    // a late event of the older release does not take the environment back
    await announce(replaced, 'succeeded', new Date(now.getTime() - 2 * DAY_MS).toISOString());
    await Promise.all([announce(longer, 'queued', now.toISOString()), announce(shorter, 'queued', now.toISOString()), announce(plain, 'queued', now.toISOString())]);
    await eventually('the five deployments known', async () => {
      const { rows } = await h.db.query<{ n: number }>('select count(*)::int as n from logs.deployments');
      return rows[0].n === 5;
    });
    await eventually('the release recorded', async () => {
      const { rows } = await h.db.query('select deployment_id from logs.environment_releases where environment_id = $1', [release.environmentId]);
      return rows[0]?.deployment_id === release.id;
    });
    await expect(retention(longer.projectId, 60)).resolves.toEqual({ projectId: longer.projectId, days: 60, effectiveDays: 60 });
    await retention(shorter.projectId, 3);
    await expect(h.bus.request(pinLogLines, { deploymentId: pinned.id, pinned: true })).resolves.toEqual({ ok: true, data: { deploymentId: pinned.id, pinned: true } });
    await h.app.get(LogPartitionsService).maintain(now);
  }, 120_000);

  afterAll(async () => {
    await h?.stop();
  });

  it("drops the operator's expired days, and every line of a deployment without a rule of its own with them", async () => {
    // seq 31 is on the first kept day (see log-retention.int.spec.ts)
    expect(await stored(plain)).toEqual(range(1, 31));
    expect(await stored(replaced)).toEqual(range(1, 31));
  });

  it("keeps a project's lines as long as its own longer retention says, readable as before", async () => {
    expect(await stored(longer)).toEqual(range(1, 40));
    const { rows } = await h.db.query<{ n: number }>(`select count(*)::int as n from logs.log_lines_default where deployment_id = $1`, [longer.id]);
    expect(rows[0].n).toBe(9);
  });

  it("removes a project's lines past its own shorter retention without waiting for their day", async () => {
    // seq 4 was printed exactly 3 days ago: on the boundary, kept
    expect(await stored(shorter)).toEqual(range(1, 4));
  });

  it("keeps every line of an environment's current release, and of a pinned deployment", async () => {
    expect(await stored(release)).toEqual(range(1, 40));
    expect(await stored(pinned)).toEqual(range(1, 40));
  });

  it("refuses a retention of zero days, goes back to the operator's with null, and lets an unpinned deployment's lines go", async () => {
    const zero = await h.bus.request(setLogRetention, { projectId: plain.projectId, days: 0 });
    expect(zero).toMatchObject({ ok: false, error: { code: 'validation/invalid-input', message: expect.stringMatching(/^days: at least 1 day: a retention of zero would drop lines as they arrive/) } });
    await expect(retention(longer.projectId, null)).resolves.toEqual({ projectId: longer.projectId, days: null, effectiveDays: 30 });
    await h.bus.request(pinLogLines, { deploymentId: pinned.id, pinned: false });
    // the next run takes the kept lines no rule keeps any more
    await h.app.get(LogPartitionsService).maintain(now);
    expect(await stored(longer)).toEqual(range(1, 31));
    expect(await stored(pinned)).toEqual(range(1, 31));
    expect(await stored(release)).toEqual(range(1, 40));
  });
});

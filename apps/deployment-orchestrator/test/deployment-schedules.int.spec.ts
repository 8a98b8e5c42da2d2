import type { INestApplication } from '@nestjs/common';
import {
  type DeploymentSchedule,
  ErrorCode,
  type SetDeploymentScheduleRequest,
  listDeploymentSchedules,
  setDeploymentSchedule,
} from '@flightdeck/contracts';
import { eventually } from '@flightdeck/testing';
import { ScheduleFiring } from '../src/schedules/schedule-firing.service';
import { firingKey } from '../src/schedules/schedule-timing';
import { SweeperLeadership } from '../src/timeouts/sweeper-leadership';
import { anActor, OrchestratorHarness } from './support/orchestrator-harness';

jest.setTimeout(120_000);

// every firing may trigger: the rate limit is not what these tests are about
const SETTINGS = { FLIGHTDECK_SWEEP_INTERVAL_MS: '200', FLIGHTDECK_TRIGGERS_PER_MINUTE: '1000' };

interface ScheduledRow {
  id: string;
  idempotency_key: string;
  status: string;
  message: string;
}

// Two replicas sweep (the harness's own app checks once an hour: it stays out), as in production.
describe('deployment schedules', () => {
  let h: OrchestratorHarness;
  let replicas: INestApplication[];

  beforeAll(async () => {
    h = await OrchestratorHarness.start({ FLIGHTDECK_SWEEP_INTERVAL_MS: '3600000' });
    replicas = [await h.startReplica(SETTINGS), await h.startReplica(SETTINGS)];
    await eventually('a sweeping replica', async () => replicas.some((r) => r.get(SweeperLeadership).isLeader) || undefined);
  });
  afterAll(async () => {
    for (const r of replicas) await r.close();
    await h?.stop();
  });

  const setSchedule = (over: Partial<SetDeploymentScheduleRequest> & Pick<SetDeploymentScheduleRequest, 'projectId' | 'environmentId'>) =>
    h.bus.request(setDeploymentSchedule, { cron: '0 0 2 * * *', timezone: 'UTC', sourceRef: 'main', enabled: true, actor: anActor(), ...over });

  const scheduleOf = async (projectId: string, environmentId: string): Promise<DeploymentSchedule> => {
    const r = await h.bus.request(listDeploymentSchedules, { projectId, environmentId });
    if (!r.ok || !r.data.items[0]) throw new Error(`no schedule for ${environmentId}`);
    return r.data.items[0];
  };

  const scheduled = (environmentId: string) =>
    h.sql<ScheduledRow>(
      `select id, idempotency_key, status, message from orchestrator.deployments
        where environment_id = $1 and "trigger" = 'schedule' order by created_at`,
      [environmentId],
    );

  it('refuses an invalid cron expression or time zone with schedule/invalid-cron, and changes nothing', async () => {
    const { project, production } = h.directory.addProject();
    const ids = { projectId: project.id, environmentId: production.id };
    const first = await setSchedule(ids);
    expect(first).toEqual({ ok: true, data: expect.objectContaining({ cron: '0 0 2 * * *', enabled: true }) });

    for (const bad of [{ cron: 'every night' }, { cron: '61 * * * *' }, { cron: '0 0 30 2 *' }, { timezone: 'Mars/Olympus' }]) {
      const r = await setSchedule({ ...ids, ...bad });
      expect(r).toEqual({ ok: false, error: expect.objectContaining({ code: ErrorCode.ScheduleInvalidCron }) });
    }
    expect(await scheduleOf(project.id, production.id)).toEqual(first.ok && first.data);
  });

  it('refuses an environment of another project', async () => {
    const a = h.directory.addProject();
    const b = h.directory.addProject();
    const r = await setSchedule({ projectId: a.project.id, environmentId: b.production.id });
    expect(r).toEqual({ ok: false, error: expect.objectContaining({ code: ErrorCode.EnvironmentNotFound }) });
    const list = await h.bus.request(listDeploymentSchedules, { projectId: b.project.id });
    expect(list).toEqual({ ok: true, data: { items: [] } });
  });

  it('with two replicas, an every-second schedule triggers exactly once per firing', async () => {
    const { project, production } = h.directory.addProject();
    const ids = { projectId: project.id, environmentId: production.id };
    const set = await setSchedule({ ...ids, cron: '* * * * * *' });
    if (!set.ok) throw new Error(set.error.message);

    // the test plays the builder: each scheduled deployment succeeds, so the next firing finds the environment free
    const done = new Set<string>();
    while (done.size < 3) {
      const next = await eventually('a new scheduled deployment', async () => (await scheduled(production.id)).find((d) => !done.has(d.id)), {
        timeoutMs: 15_000,
      });
      await h.waitForJob(next.id);
      await h.succeed(next.id);
      done.add(next.id);
    }
    // disabling waits for a firing in progress (it holds the row): after it, nothing fires
    const off = await setSchedule({ ...ids, cron: '* * * * * *', enabled: false });
    expect(off).toEqual({ ok: true, data: expect.objectContaining({ enabled: false, nextRunAt: null }) });

    const final = await scheduleOf(project.id, production.id);
    const rows = await scheduled(production.id);
    // one deployment per firing key, each key a different second of this schedule
    const keys = rows.map((d) => d.idempotency_key);
    expect(new Set(keys).size).toBe(rows.length);
    for (const k of keys) expect(k).toMatch(new RegExp(`^schedule:${set.data.id}:\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.000Z$`));
    // every firing either triggered one of these or was turned away (the environment busy): never two deployments
    expect(rows.length).toBeGreaterThanOrEqual(3);
    expect(final.firings).toBeGreaterThanOrEqual(rows.length);
    expect(final.lastRunAt).not.toBeNull();
  });

  it('when both replicas sweep the same due firing at the same moment, it triggers once', async () => {
    const { project, production } = h.directory.addProject();
    const set = await setSchedule({ projectId: project.id, environmentId: production.id, cron: '0 0 2 * * *' });
    if (!set.ok) throw new Error(set.error.message);
    // due a second ago by the database's clock
    const [{ due }] = await h.sql<{ due: Date }>(
      `update orchestrator.deployment_schedules set next_run_at = date_trunc('second', now()) - interval '1 second' where id = $1 returning next_run_at as due`,
      [set.data.id],
    );
    await Promise.all(replicas.flatMap((r) => [r.get(ScheduleFiring).fireDue(), r.get(ScheduleFiring).fireDue()]));

    const after = await eventually('the firing to be recorded', async () => {
      const s = await scheduleOf(project.id, production.id);
      return s.firings > 0 ? s : undefined;
    });
    const rows = await scheduled(production.id);
    expect(rows).toHaveLength(1);
    expect(rows[0].idempotency_key).toBe(firingKey(set.data.id, due));
    expect(after).toEqual(expect.objectContaining({ firings: 1, lastDeploymentId: rows[0].id, lastRunAt: due.toISOString(), lastError: null }));
    expect(new Date(after.nextRunAt!).getTime()).toBeGreaterThan(Date.now());
  });

  it('a firing whose replica died after triggering, before moving the schedule on, gets the same deployment back', async () => {
    const { project, production } = h.directory.addProject();
    const set = await setSchedule({ projectId: project.id, environmentId: production.id, cron: '0 0 2 * * *' });
    if (!set.ok) throw new Error(set.error.message);
    const [{ due }] = await h.sql<{ due: Date }>(`select date_trunc('second', now()) - interval '1 second' as due`);
    // what the dead replica got done: the deployment of this firing, with its key; the row still says due
    const first = await h.deploy(project.id, {
      environmentId: production.id,
      trigger: 'schedule',
      idempotencyKey: firingKey(set.data.id, due),
      actor: { kind: 'system', id: `schedule:${set.data.id}` },
    });
    await h.sql(`update orchestrator.deployment_schedules set next_run_at = $2 where id = $1`, [set.data.id, due]);

    const after = await eventually('the firing to be taken up again', async () => {
      const s = await scheduleOf(project.id, production.id);
      return s.firings > 0 ? s : undefined;
    });
    expect(after).toEqual(expect.objectContaining({ firings: 1, lastDeploymentId: first.id, lastRunAt: due.toISOString(), lastError: null }));
    expect((await scheduled(production.id)).map((d) => d.id)).toEqual([first.id]);
  });

  it('a stored expression that no longer computes stops its own schedule, not the others due with it', async () => {
    const broken = h.directory.addProject();
    const fine = h.directory.addProject();
    const a = await setSchedule({ projectId: broken.project.id, environmentId: broken.production.id });
    const b = await setSchedule({ projectId: fine.project.id, environmentId: fine.production.id });
    if (!a.ok || !b.ok) throw new Error('schedules not set');
    // as a library change could leave it: an expression that parses but never fires (30 February)
    await h.sql(`update orchestrator.deployment_schedules set cron = '0 0 30 2 *' where id = $1`, [a.data.id]);
    await h.sql(`update orchestrator.deployment_schedules set next_run_at = now() - interval '1 second' where id = any($1)`, [[a.data.id, b.data.id]]);

    const fired = await eventually('the good schedule to fire', async () => {
      const s = await scheduleOf(fine.project.id, fine.production.id);
      return s.firings > 0 ? s : undefined;
    });
    expect(fired).toEqual(expect.objectContaining({ firings: 1, lastError: null, lastDeploymentId: expect.any(String) }));
    expect(await scheduleOf(broken.project.id, broken.production.id)).toEqual(
      expect.objectContaining({ firings: 0, nextRunAt: null, lastError: expect.objectContaining({ code: ErrorCode.ScheduleInvalidCron }) }),
    );
    expect(await scheduled(broken.production.id)).toEqual([]);
  });

  it('after three nights of downtime a nightly schedule fires once (one catch-up), not three times', async () => {
    const { project, production } = h.directory.addProject();
    const set = await setSchedule({ projectId: project.id, environmentId: production.id, cron: '0 0 2 * * *' });
    if (!set.ok) throw new Error(set.error.message);
    // as if every replica had been down since 02:00 three days ago: its next run was left there
    const [{ due }] = await h.sql<{ due: Date }>(
      `update orchestrator.deployment_schedules set next_run_at = date_trunc('day', now()) - interval '3 days' + interval '2 hours'
        where id = $1 returning next_run_at as due`,
      [set.data.id],
    );

    // it has fired once the next run moved into the future; a burst would have fired again before that
    const after = await eventually('the catch-up firing', async () => {
      const s = await scheduleOf(project.id, production.id);
      return s.nextRunAt && new Date(s.nextRunAt).getTime() > Date.now() ? s : undefined;
    });
    expect(after).toEqual(expect.objectContaining({ firings: 1, lastRunAt: due.toISOString(), lastError: null }));
    expect(new Date(after.nextRunAt!).toISOString()).toMatch(/T02:00:00\.000Z$/);
    expect(new Date(after.nextRunAt!).getTime() - Date.now()).toBeLessThanOrEqual(24 * 3_600_000);
    const rows = await scheduled(production.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toEqual(
      expect.objectContaining({ id: after.lastDeploymentId, idempotency_key: firingKey(set.data.id, due), message: expect.stringMatching(/caught up once after [23] missed/) }),
    );
  });
});

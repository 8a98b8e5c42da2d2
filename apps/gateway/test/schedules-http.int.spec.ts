import { randomUUID } from 'node:crypto';
import {
  type DeploymentSchedule,
  ErrorCode,
  deleteDeploymentSchedule,
  err,
  listDeploymentSchedules,
  ok,
  setDeploymentSchedule,
} from '@flightdeck/contracts';
import { type TestInfra, anEnvironment, startTestInfra } from '@flightdeck/testing';
import { FakeResponders } from './support/fake-responder';
import { type RunningGateway, startGateway } from './support/gateway-app';

const aSchedule = (over: Partial<DeploymentSchedule> = {}): DeploymentSchedule => ({
  id: randomUUID(),
  projectId: randomUUID(),
  environmentId: randomUUID(),
  cron: '0 2 * * *',
  timezone: 'UTC',
  sourceRef: 'main',
  enabled: true,
  nextRunAt: '2026-03-02T02:00:00.000Z',
  lastRunAt: null,
  lastDeploymentId: null,
  lastError: null,
  firings: 0,
  createdAt: '2026-03-01T10:00:00.000Z',
  updatedAt: '2026-03-01T10:00:00.000Z',
  ...over,
});

// The schedule routes on the real gateway; the orchestrator's part is stood in for on the same NATS.
describe('deployment schedule routes', () => {
  let infra: TestInfra;
  let gw: RunningGateway;
  let fakes: FakeResponders;

  beforeAll(async () => {
    infra = await startTestInfra();
    gw = await startGateway(infra);
    fakes = await FakeResponders.connect(infra.nats);
  });
  afterEach(() => fakes.clear());
  afterAll(async () => {
    await fakes?.close();
    await gw?.close();
    await infra?.stop();
  });

  const schedulePath = (e: { projectId: string; id: string }) => `/projects/${e.projectId}/environments/${e.id}/schedule`;

  it('sets the schedule from the body, with the caller as actor and UTC by default', async () => {
    const env = anEnvironment();
    const received = await fakes.respond(setDeploymentSchedule, (r) =>
      ok(aSchedule({ projectId: r.projectId, environmentId: r.environmentId, cron: r.cron, sourceRef: r.sourceRef })),
    );
    const res = await gw.api('PUT', schedulePath(env), { body: { cron: '0 2 * * *', sourceRef: 'release' } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ projectId: env.projectId, environmentId: env.id, cron: '0 2 * * *', sourceRef: 'release' });
    expect(received.map((r) => r.data)).toEqual([
      { projectId: env.projectId, environmentId: env.id, cron: '0 2 * * *', timezone: 'UTC', sourceRef: 'release', enabled: true, actor: { id: 'admin', kind: 'token' } },
    ]);
  });

  it('answers an invalid cron expression with 422 schedule/invalid-cron', async () => {
    const env = anEnvironment();
    await fakes.respond(setDeploymentSchedule, (r) => err(ErrorCode.ScheduleInvalidCron, `cron expression '${r.cron}' is not valid: Unknown alias: eve`));
    const res = await gw.api('PUT', schedulePath(env), { body: { cron: 'every night', sourceRef: 'main' } });
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: 'schedule/invalid-cron', message: expect.stringContaining('every night') });
  });

  it.each([
    ['no cron', { sourceRef: 'main' }, 'cron'],
    ['no ref', { cron: '* * * * *' }, 'sourceRef'],
    ['an unknown field', { cron: '* * * * *', sourceRef: 'main', every: '1h' }, 'every'],
  ])('answers %s with 400 validation/invalid-input, and asks nobody', async (_what, body, path) => {
    const env = anEnvironment();
    const received = await fakes.respond(setDeploymentSchedule, () => ok(aSchedule()));
    const res = await gw.api('PUT', schedulePath(env), { body });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation/invalid-input');
    expect(res.body.error.details.fields.map((f: { path: string }) => f.path)).toEqual([path]);
    expect(received).toEqual([]);
  });

  it('reads an environment’s schedule, 404 schedule/not-found without one', async () => {
    const env = anEnvironment();
    const schedule = aSchedule({ projectId: env.projectId, environmentId: env.id });
    await fakes.respond(listDeploymentSchedules, (r) => ok({ items: r.environmentId === env.id ? [schedule] : [] }));
    const found = await gw.api('GET', schedulePath(env));
    expect(found.status).toBe(200);
    expect(found.body).toEqual(schedule);
    const missing = await gw.api('GET', schedulePath({ projectId: env.projectId, id: randomUUID() }));
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('schedule/not-found');
    const all = await gw.api('GET', `/projects/${env.projectId}/schedules`);
    expect(all.body).toEqual({ items: [] });
  });

  it('deletes it: 200 with the schedule as it was, 404 when there is none', async () => {
    const env = anEnvironment();
    const schedule = aSchedule({ projectId: env.projectId, environmentId: env.id });
    let kept: DeploymentSchedule | undefined = schedule;
    await fakes.respond(deleteDeploymentSchedule, () => {
      const was = kept;
      kept = undefined;
      return was ? ok(was) : err(ErrorCode.ScheduleNotFound, 'no schedule');
    });
    const first = await gw.api('DELETE', schedulePath(env));
    expect(first.status).toBe(200);
    expect(first.body).toEqual(schedule);
    const again = await gw.api('DELETE', schedulePath(env));
    expect(again.status).toBe(404);
    expect(again.body.error.code).toBe('schedule/not-found');
  });
});

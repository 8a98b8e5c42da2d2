import { randomUUID } from 'node:crypto';
import { type IncomingHttpHeaders, type Server, createServer } from 'node:http';
import { connect, type NatsConnection } from 'nats';
import { verify } from '@octokit/webhooks-methods';
import {
  type Deployment,
  type DeploymentStatus,
  type DeploymentTransition,
  ErrorCode,
  deploymentStatusChanged,
  getProject,
  hookSecret,
  ok,
  subjectFor,
} from '@flightdeck/contracts';
import { encodeEvent } from '@flightdeck/messaging';
import { type TestInfra, aDeployment, aProject, eventually, queryRows, startTestInfra } from '@flightdeck/testing';
import { HookDeliverer } from '../src/hooks/hook-deliverer.service';
import { FakeResponders } from './support/fake-responder';
import { type RunningGateway, startGateway } from './support/gateway-app';

jest.setTimeout(120_000);

interface Received {
  path: string;
  at: number;
  headers: IncomingHttpHeaders;
  raw: string;
  body: { version: number; event: string; deliveredAt: string; deployment: Deployment };
}

// Outgoing hooks on the real gateway, Postgres and NATS, with a real receiver (node:http on
// 127.0.0.1). The status events are published on DEPLOYMENT_EVENTS as the orchestrator publishes
// them; environment-manager's part (the sealed secret, the project) is stood in for on the bus.
describe('outgoing hooks', () => {
  let infra: TestInfra;
  let gw: RunningGateway;
  let fakes: FakeResponders;
  let nc: NatsConnection;
  let receiver: Server;
  let base: string;
  const received: Received[] = [];
  // what each path answers, in turn; 'hang' never answers; past the list: 200
  const script = new Map<string, (number | 'hang')[]>();
  const secrets = new Map<string, string>();
  const project = aProject({ name: 'hooked' });
  const hanging: (() => void)[] = [];

  const startReceiver = async () => {
    receiver = createServer((req, res) => {
      let raw = '';
      req.on('data', (c) => (raw += c));
      req.on('end', () => {
        received.push({ path: req.url!, at: Date.now(), headers: req.headers, raw, body: JSON.parse(raw) });
        const answer = script.get(req.url!)?.shift() ?? 200;
        if (answer === 'hang') hanging.push(() => res.destroy());
        else res.writeHead(answer).end(answer === 200 ? 'ok' : 'no');
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(receiver.address() as { port: number }).port}`;
  };

  const standIn = async () => {
    await fakes.respond(getProject, (r) => (r.projectId === project.id ? ok(project) : ok({ ...project, id: r.projectId })));
    await fakes.respond(hookSecret, (r) => {
      if (r.action === 'generate') secrets.set(r.hookId, randomUUID().replace(/-/g, ''));
      if (r.action === 'delete') secrets.delete(r.hookId);
      return ok({ secret: r.action === 'delete' ? null : (secrets.get(r.hookId) ?? null) });
    });
  };

  beforeAll(async () => {
    infra = await startTestInfra();
    await startReceiver();
    fakes = await FakeResponders.connect(infra.nats);
    await standIn();
    nc = await connect({ ...infra.nats.connectOptions(), name: 'hooks-spec' });
    // the test stack allows loopback receivers; the last test starts a gateway that does not
    gw = await startGateway(infra, { FLIGHTDECK_HOOKS_ALLOW_PRIVATE: 'true', FLIGHTDECK_HOOKS_TIMEOUT_MS: '1000', FLIGHTDECK_HOOKS_RETRY_BASE_MS: '200' });
  });
  afterAll(async () => {
    hanging.forEach((end) => end());
    await gw?.close();
    await fakes?.close();
    await nc?.drain();
    await new Promise((r) => receiver?.close(r));
    await infra?.stop();
  });

  // a deployment's status changes as the orchestrator publishes them (through its outbox)
  const publish = async (d: Deployment, from: DeploymentStatus | null, to: DeploymentStatus) => {
    const deployment = { ...d, status: to };
    await nc.jetstream().publish(
      subjectFor(deploymentStatusChanged.subject, d.id),
      encodeEvent(deploymentStatusChanged, { deployment, transition: { from, to, phase: deployment.phase, at: new Date().toISOString(), reason: null } }),
      { msgID: randomUUID() },
    );
  };
  const lifecycle = async (d: Deployment) => {
    await publish(d, null, 'queued');
    await publish(d, 'queued', 'initializing');
    await publish(d, 'initializing', 'building');
    await publish(d, 'building', 'succeeded');
  };
  const createHook = async (path: string, events: string[]) => {
    const res = await gw.api('POST', `/projects/${project.id}/hooks`, { body: { url: `${base}${path}`, events } });
    expect(res.status).toBe(201);
    return res.body as { id: string; secret: string; url: string; events: string[] };
  };
  const at = (path: string) => received.filter((r) => r.path === path);
  const deliveries = async (hookId: string) => (await gw.api('GET', `/projects/${project.id}/hooks/${hookId}/deliveries`)).body.items;

  it('a receiver gets each subscribed event once, signed with its secret, which is shown at creation only', async () => {
    const hook = await createHook('/ok', ['deployment.created', 'deployment.started', 'deployment.succeeded']);
    expect(hook.secret).toMatch(/^[0-9a-f]{32,}$/);
    const shown = await gw.api('GET', `/projects/${project.id}/hooks/${hook.id}`);
    expect(shown.status).toBe(200);
    expect(shown.body).toEqual(expect.objectContaining({ id: hook.id, url: `${base}/ok`, active: true }));
    expect(JSON.stringify(shown.body)).not.toContain(hook.secret);
    expect(JSON.stringify((await gw.api('GET', `/projects/${project.id}/hooks`)).body)).not.toContain(hook.secret);

    const d = aDeployment({ projectId: project.id });
    await lifecycle(d);
    await eventually('three deliveries delivered', async () => (await deliveries(hook.id)).filter((x: { status: string }) => x.status === 'delivered').length === 3);
    const got = at('/ok');
    expect(got.map((r) => r.body.event).sort()).toEqual(['deployment.created', 'deployment.started', 'deployment.succeeded']);
    expect(new Set(got.map((r) => r.headers['x-flightdeck-delivery'])).size).toBe(3);
    for (const r of got) {
      expect(await verify(hook.secret, r.raw, r.headers['x-flightdeck-signature-256'] as string)).toBe(true);
      expect(r.headers['x-flightdeck-event']).toBe(r.body.event);
      expect(Number(r.headers['x-flightdeck-timestamp'])).toBeGreaterThan(Date.now() / 1000 - 60);
      expect(r.body).toEqual(expect.objectContaining({ version: 1, deployment: expect.objectContaining({ id: d.id, projectId: project.id }) }));
      expect(Date.parse(r.body.deliveredAt)).not.toBeNaN();
    }
    const rows = await deliveries(hook.id);
    expect(rows.every((x: { attempts: number; responseStatus: number; responseTimeMs: number }) => x.attempts === 1 && x.responseStatus === 200 && x.responseTimeMs >= 0)).toBe(true);

    // redelivered from the API: once more, with the same delivery id
    const one = rows[0];
    const again = await gw.api('POST', `/projects/${project.id}/hooks/${hook.id}/deliveries/${one.id}/redeliver`);
    expect(again.status).toBe(202);
    await eventually('the redelivery', () => at('/ok').filter((r) => r.headers['x-flightdeck-delivery'] === one.id).length === 2);
    expect(at('/ok')).toHaveLength(4);
    await gw.api('DELETE', `/projects/${project.id}/hooks/${hook.id}`);
  });

  it('a receiver answering 500 three times gets the event on the fourth try, same delivery id, after growing delays', async () => {
    script.set('/flaky', [500, 500, 500]);
    const hook = await createHook('/flaky', ['deployment.created']);
    await publish(aDeployment({ projectId: project.id }), null, 'queued');
    const [delivery] = await eventually('the delivery delivered', async () => {
      const rows = await deliveries(hook.id);
      return rows[0]?.status === 'delivered' ? rows : undefined;
    });
    const tries = at('/flaky');
    expect(tries).toHaveLength(4);
    expect(new Set(tries.map((r) => r.headers['x-flightdeck-delivery']))).toEqual(new Set([delivery.id]));
    expect(delivery).toEqual(expect.objectContaining({ attempts: 4, responseStatus: 200, nextAttemptAt: null }));
    // backoff 200, 400, 800 ms (FLIGHTDECK_HOOKS_RETRY_BASE_MS=200)
    const gaps = tries.slice(1).map((r, i) => r.at - tries[i].at);
    expect(gaps[0]).toBeGreaterThanOrEqual(180);
    expect(gaps[1]).toBeGreaterThanOrEqual(380);
    expect(gaps[2]).toBeGreaterThanOrEqual(780);
    await gw.api('DELETE', `/projects/${project.id}/hooks/${hook.id}`);
  });

  it('a hanging receiver is cut off after the timeout and retried; events go on flowing to the other hooks meanwhile', async () => {
    const slow = await createHook('/hang', ['deployment.created', 'deployment.started', 'deployment.progress', 'deployment.succeeded']);
    const fast = await createHook('/fast', ['deployment.created', 'deployment.started', 'deployment.progress', 'deployment.succeeded']);
    // a backlog of 40 due deliveries to the hanging receiver: more than the 32 a gateway sends at once
    script.set('/hang', Array.from({ length: 200 }, () => 'hang' as const));
    await queryRows(
      infra.postgres.url,
      `insert into gateway.hook_deliveries (id, hook_id, project_id, event, payload, next_attempt_at)
       select gen_random_uuid(), $1, $2, 'deployment.progress', '{"version":1}', now() from generate_series(1, 40)`,
      [slow.id, project.id],
    );
    const d = aDeployment({ projectId: project.id });
    const started = Date.now();
    await lifecycle(d);
    // the bound: all four events reach the healthy receiver within 2 s of being published, while
    // every attempt to the other one hangs (and each is cut at FLIGHTDECK_HOOKS_TIMEOUT_MS=1000);
    // at most 4 of those are in flight at once
    await eventually('the healthy hook served', () => at('/fast').length === 4, { timeoutMs: 2_000 });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(at('/hang').length).toBeLessThanOrEqual(4 + 4);
    // the backlog goes (its attempts in flight end unrecorded); the deployment's own deliveries stay
    await queryRows(infra.postgres.url, `delete from gateway.hook_deliveries where hook_id = $1 and deployment_id is null`, [slow.id]);
    const cut = await eventually('an attempt to the hanging receiver cut off', async () =>
      (await deliveries(slow.id)).find((x: { attempts: number }) => x.attempts >= 1),
    );
    expect(cut).toEqual(expect.objectContaining({ status: 'pending', responseStatus: null, lastError: expect.stringMatching(/no answer within 1000 ms/) }));
    expect(cut.responseTimeMs).toBeGreaterThanOrEqual(1000);
    expect(cut.responseTimeMs).toBeLessThan(3000);
    expect(Date.parse(cut.nextAttemptAt)).toBeGreaterThan(Date.now() - 5_000);
    await eventually('a retry of the hanging one', async () => (await deliveries(slow.id)).some((x: { attempts: number }) => x.attempts >= 2), { timeoutMs: 10_000 });
    // still being tried: not sent again on request (409), unchanged
    const pending = await gw.api('POST', `/projects/${project.id}/hooks/${slow.id}/deliveries/${cut.id}/redeliver`);
    expect([pending.status, pending.body.error.code]).toEqual([409, ErrorCode.HookDeliveryPending]);
    expect(await queryRows(infra.postgres.url, `select count(*)::int as n from gateway.hook_deliveries where hook_id = $1`, [fast.id])).toEqual([{ n: 4 }]);
    await gw.api('DELETE', `/projects/${project.id}/hooks/${slow.id}`);
    await gw.api('DELETE', `/projects/${project.id}/hooks/${fast.id}`);
  });

  it('approval events: requested when one starts awaiting approval, decided with each decision; an expiry is in the audit log as the platform\'s', async () => {
    const hook = await createHook('/approvals', ['approval.requested', 'approval.decided']);
    const d = aDeployment({ projectId: project.id, phase: 'awaiting_approval' });
    const send = (from: DeploymentStatus | null, to: DeploymentStatus, approval?: DeploymentTransition['approval']) =>
      nc.jetstream().publish(
        subjectFor(deploymentStatusChanged.subject, d.id),
        encodeEvent(deploymentStatusChanged, {
          deployment: { ...d, status: to },
          transition: { from, to, phase: 'awaiting_approval', at: new Date().toISOString(), reason: null, ...(approval ? { approval } : {}) },
        }),
        { msgID: randomUUID() },
      );
    await send(null, 'queued');
    await send('created', 'queued');
    await send('queued', 'queued', { decision: 'approved', by: 'ada', comment: 'ok', given: 1, required: 2 });
    await send('queued', 'canceled', { decision: 'expired', by: null, comment: null, given: 1, required: 2 });
    await eventually('three approval deliveries', async () => (await deliveries(hook.id)).filter((x: { status: string }) => x.status === 'delivered').length === 3);
    expect(at('/approvals').map((r) => [r.body.event, (r.body as unknown as { transition: DeploymentTransition }).transition.approval?.decision ?? null])).toEqual(
      expect.arrayContaining([
        ['approval.requested', null],
        ['approval.decided', 'approved'],
        ['approval.decided', 'expired'],
      ]),
    );
    const audit = await gw.api('GET', `/projects/${project.id}/audit`);
    expect(audit.body.items.filter((e: { target: { deploymentId?: string } }) => e.target.deploymentId === d.id)).toEqual([
      expect.objectContaining({ actor: { kind: 'system', id: 'deployment-orchestrator' }, method: 'SYSTEM', route: 'SYSTEM approval expired', outcome: 'succeeded' }),
    ]);
    await gw.api('DELETE', `/projects/${project.id}/hooks/${hook.id}`);
  });

  it('events published while no gateway runs are delivered once one starts (durable consumer)', async () => {
    const hook = await createHook('/restart', ['deployment.created', 'deployment.succeeded']);
    await gw.close();
    const d = aDeployment({ projectId: project.id });
    await publish(d, null, 'queued');
    await publish(d, 'queued', 'succeeded');
    gw = await startGateway(infra, { FLIGHTDECK_HOOKS_ALLOW_PRIVATE: 'true', FLIGHTDECK_HOOKS_TIMEOUT_MS: '1000', FLIGHTDECK_HOOKS_RETRY_BASE_MS: '200' });
    await eventually('both events delivered after the restart', async () => (await deliveries(hook.id)).filter((x: { status: string }) => x.status === 'delivered').length === 2);
    expect(at('/restart').map((r) => r.body.event).sort()).toEqual(['deployment.created', 'deployment.succeeded']);
    await gw.api('DELETE', `/projects/${project.id}/hooks/${hook.id}`);
  });

  it('an inactive hook gets nothing until active again; deliveries that ended over 30 days ago are deleted', async () => {
    const hook = await createHook('/paused', ['deployment.created']);
    expect((await gw.api('PATCH', `/projects/${project.id}/hooks/${hook.id}`, { body: { active: false } })).body.active).toBe(false);
    await publish(aDeployment({ projectId: project.id }), null, 'queued');
    // an inactive hook gets no delivery for an event; one queued before it was paused waits
    await queryRows(infra.postgres.url, `insert into gateway.hook_deliveries (id, hook_id, project_id, event, payload, next_attempt_at) values ($1, $2, $3, 'deployment.created', '{"version":1}', now())`, [
      randomUUID(),
      hook.id,
      project.id,
    ]);
    const other = await createHook('/witness', ['deployment.created']);
    await publish(aDeployment({ projectId: project.id }), null, 'queued');
    await eventually('the active hook served', () => at('/witness').length === 1);
    expect(at('/paused')).toEqual([]);
    expect((await gw.api('PATCH', `/projects/${project.id}/hooks/${hook.id}`, { body: { active: true } })).body.active).toBe(true);
    await eventually('the waiting delivery sent once active', () => at('/paused').length === 1);

    await queryRows(infra.postgres.url, `update gateway.hook_deliveries set created_at = now() - interval '31 days' where hook_id = $1`, [other.id]);
    expect(await gw.app.get(HookDeliverer).prune()).toBe(1);
    expect(await deliveries(other.id)).toEqual([]);
    expect(await deliveries(hook.id)).toHaveLength(1);
    await gw.api('DELETE', `/projects/${project.id}/hooks/${hook.id}`);
    await gw.api('DELETE', `/projects/${project.id}/hooks/${other.id}`);
  });

  it('refuses bad input: unknown events, other protocols, an unknown hook (404), and changes nothing', async () => {
    const before = (await gw.api('GET', `/projects/${project.id}/hooks`)).body.items.length;
    const badEvent = await gw.api('POST', `/projects/${project.id}/hooks`, { body: { url: `${base}/x`, events: ['deployment.exploded'] } });
    expect([badEvent.status, badEvent.body.error.code]).toEqual([400, ErrorCode.InvalidInput]);
    const ftp = await gw.api('POST', `/projects/${project.id}/hooks`, { body: { url: 'ftp://example.com/x', events: ['deployment.created'] } });
    expect([ftp.status, ftp.body.error.code]).toEqual([400, ErrorCode.InvalidInput]);
    const missing = await gw.api('GET', `/projects/${project.id}/hooks/${randomUUID()}/deliveries`);
    expect([missing.status, missing.body.error.code]).toEqual([404, ErrorCode.HookNotFound]);
    expect((await gw.api('GET', `/projects/${project.id}/hooks`)).body.items).toHaveLength(before);
  });

  it('without FLIGHTDECK_HOOKS_ALLOW_PRIVATE, a loopback or private URL is refused at creation (400) and at delivery', async () => {
    await gw.close();
    gw = await startGateway(infra, { FLIGHTDECK_HOOKS_TIMEOUT_MS: '1000', FLIGHTDECK_HOOKS_RETRY_BASE_MS: '200' });
    for (const url of [`${base}/private`, 'http://localhost:9/x', 'http://10.0.0.7/x', 'http://169.254.169.254/latest/meta-data', 'http://[::1]:9/x']) {
      const res = await gw.api('POST', `/projects/${project.id}/hooks`, { body: { url, events: ['deployment.created'] } });
      expect([url, res.status, res.body.error.code]).toEqual([url, 400, ErrorCode.HookUrlRefused]);
    }
    expect((await gw.api('GET', `/projects/${project.id}/hooks`)).body.items).toEqual([]);

    // a hook made while the setting allowed it (or whose name now resolves to loopback): the delivery refuses to connect
    const hookId = randomUUID();
    secrets.set(hookId, 'f'.repeat(64));
    await queryRows(infra.postgres.url, `insert into gateway.hooks (id, project_id, url, events) values ($1, $2, $3, $4)`, [hookId, project.id, `http://localhost:${new URL(base).port}/private`, ['deployment.created']]);
    await publish(aDeployment({ projectId: project.id }), null, 'queued');
    const refused = await eventually('the refused attempt', async () => (await deliveries(hookId)).find((x: { attempts: number }) => x.attempts >= 1));
    expect(refused).toEqual(expect.objectContaining({ responseStatus: null, lastError: expect.stringMatching(/not a public address/) }));
    expect(at('/private')).toEqual([]);
  });
});

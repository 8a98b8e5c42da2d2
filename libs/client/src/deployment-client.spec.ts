import type { Deployment } from '@flightdeck/contracts';
import { DeploymentClient } from './deployment-client';
import type { LiveConnection } from './live-connection';

const P = '00000000-0000-4000-8000-00000000000a';
const D = '00000000-0000-4000-8000-00000000000d';
const at = new Date(0).toISOString();
const deployment = (status: Deployment['status']): Deployment => ({
  id: D,
  projectId: P,
  environmentId: P,
  sourceRef: 'main',
  commitSha: null,
  commitMessage: null,
  commitAuthor: null,
  message: null,
  triggeredBy: 'admin',
  trigger: 'api',
  status,
  phase: 'queued',
  progress: 0,
  attempt: 1,
  parentDeploymentId: null,
  rollbackTargetId: null,
  artifact: null,
  url: null,
  previewUrl: null,
  errorCode: null,
  errorMessage: null,
  metadata: {},
  createdAt: at,
  updatedAt: at,
  startedAt: null,
  finishedAt: null,
  durationMs: null,
});

// a gateway answering GET /deployments/:id and the list with the deployment as it is now
const gateway = () => {
  const calls: string[] = [];
  let current = deployment('queued');
  const fetch = (async (url: string, init: RequestInit) => {
    calls.push(`${init.method} ${new URL(url).pathname}${new URL(url).search}`);
    const body =
      url.includes('/deployments?') || url.endsWith('/deployments')
        ? { items: [current], total: 1, limit: 20, offset: 0, hasMore: false }
        : { ...current, logVolume: null };
    return new Response(JSON.stringify(body), {
      status: 200,
      headers: { 'content-type': 'application/json' },
    });
  }) as unknown as typeof globalThis.fetch;
  return { fetch, calls, set: (s: Deployment['status']) => (current = deployment(s)) };
};
const statusEvent = (c: DeploymentClient, d: Deployment) =>
  (c as unknown as { live: LiveConnection }).live.statusObservers.forEach((o) => o({ deployment: d }));

describe('DeploymentClient read cache', () => {
  it('is off by default: every read asks the gateway', async () => {
    const gw = gateway();
    const c = new DeploymentClient({ baseUrl: 'http://gw', fetch: gw.fetch });
    await c.getDeployment(D);
    await c.getDeployment(D);
    expect(gw.calls).toHaveLength(2);
  });

  it('on, answers repeated reads from memory until a status event of that deployment drops them', async () => {
    const gw = gateway();
    const c = new DeploymentClient({ baseUrl: 'http://gw', fetch: gw.fetch, cache: true });
    await c.getDeployment(D);
    await c.listDeployments(P, { status: 'queued', limit: 5 });
    expect(await c.getDeployment(D)).toMatchObject({ ok: true, data: { status: 'queued' } });
    await c.listDeployments(P, { status: 'queued', limit: 5 });
    expect(gw.calls).toEqual([
      `GET /api/v1/deployments/${D}`,
      `GET /api/v1/projects/${P}/deployments?status=queued&limit=5`,
    ]);

    gw.set('building');
    statusEvent(c, deployment('building'));
    expect(await c.getDeployment(D)).toMatchObject({ ok: true, data: { status: 'building' } });
    expect(await c.listDeployments(P, { status: 'queued', limit: 5 })).toMatchObject({
      ok: true,
      data: { items: [{ status: 'building' }] },
    });
    expect(gw.calls).toHaveLength(4);
  });

  it('on, forgets after its TTL', async () => {
    let now = 0;
    const gw = gateway();
    const c = new DeploymentClient({
      baseUrl: 'http://gw',
      fetch: gw.fetch,
      cache: { ttlMs: 30_000, now: () => now },
    });
    await c.getDeployment(D);
    now = 30_001;
    await c.getDeployment(D);
    expect(gw.calls).toHaveLength(2);
  });
});

describe('DeploymentClient requests', () => {
  const recorder = (status: number, body: unknown) => {
    const seen: { url: string; init: RequestInit }[] = [];
    const fetch = (async (url: string, init: RequestInit) => (
      seen.push({ url, init }),
      new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })
    )) as unknown as typeof globalThis.fetch;
    return { seen, fetch };
  };

  it('promotes and aborts a running canary; a deployment running none is an error Result with its code', async () => {
    const p = recorder(200, { ...deployment('deploying'), phase: 'updating_routes', progress: 82 });
    expect(await new DeploymentClient({ baseUrl: 'http://gw', fetch: p.fetch }).promoteDeployment(D)).toMatchObject({ ok: true, data: { status: 'deploying' } });
    expect(p.seen[0]).toMatchObject({ url: `http://gw/api/v1/deployments/${D}/promote`, init: { method: 'POST' } });
    const a = recorder(200, deployment('deploying'));
    expect((await new DeploymentClient({ baseUrl: 'http://gw', fetch: a.fetch }).abortDeployment(D)).ok).toBe(true);
    expect(a.seen[0].url).toBe(`http://gw/api/v1/deployments/${D}/abort`);
    const none = recorder(409, { error: { code: 'deployment/invalid-state', message: `deployment ${D} is not a running canary (it is succeeded/active)` } });
    expect(await new DeploymentClient({ baseUrl: 'http://gw', fetch: none.fetch }).promoteDeployment(D)).toMatchObject({
      ok: false,
      error: { code: 'deployment/invalid-state' },
    });
  });

  it('sends a trigger with its Idempotency-Key, and drops cached lists of the project', async () => {
    const r = recorder(201, deployment('queued'));
    const c = new DeploymentClient({ baseUrl: 'http://gw', token: 't', fetch: r.fetch });
    expect(await c.triggerDeployment(P, { sourceRef: 'main' }, { idempotencyKey: 'k1' })).toMatchObject({
      ok: true,
      data: { id: D },
    });
    expect(r.seen[0].url).toBe(`http://gw/api/v1/projects/${P}/deployments`);
    expect(r.seen[0].init.headers).toMatchObject({ 'idempotency-key': 'k1', authorization: 'Bearer t' });
  });

  it('forwards a webhook delivery: the exact body, its headers lower-cased, no hop-by-hop ones', async () => {
    const receipt = { deliveryId: 'd1', status: 'accepted', projectIds: [], message: 'accepted' };
    const r = recorder(202, receipt);
    const c = new DeploymentClient({ baseUrl: 'http://gw', fetch: r.fetch });
    const body = '{"ref":"refs/heads/main"}';
    const headers = {
      'Content-Type': 'application/json',
      'X-GitHub-Event': 'push',
      'X-Hub-Signature-256': 'sha256=ab',
      Host: 'x',
      'Content-Length': '25',
    };
    expect(await c.handleWebhook({ body, headers })).toEqual({ ok: true, data: receipt });
    expect(r.seen[0].url).toBe('http://gw/api/v1/webhooks/github');
    expect(r.seen[0].init.body).toBe(body);
    expect(r.seen[0].init.headers).toEqual({
      accept: 'application/json',
      'content-type': 'application/json',
      'x-github-event': 'push',
      'x-hub-signature-256': 'sha256=ab',
    });
  });

  it('reads .env text as text/plain with its options in the query', async () => {
    const r = recorder(200, {
      applied: true,
      added: 1,
      changed: 0,
      unchanged: 0,
      refused: 0,
      malformed: 0,
      lines: [{ line: 1, key: 'A', outcome: 'added' }],
    });
    const c = new DeploymentClient({ baseUrl: 'http://gw', fetch: r.fetch });
    expect((await c.importVariables(P, 'A=1\n', { partial: true, sensitive: false })).ok).toBe(true);
    expect(r.seen[0].url).toBe(
      `http://gw/api/v1/environments/${P}/variables/import?partial=true&sensitive=false`,
    );
    expect(r.seen[0].init.headers).toMatchObject({ 'content-type': 'text/plain' });
  });

  it('asks for a config diff against another deployment and parses it with the contract', async () => {
    const diff = {
      deploymentId: D,
      against: P,
      configurationOf: { deployment: D, against: P },
      variables: [{ key: 'GREETING', change: 'added', sensitive: false, from: null, to: 'hi' }],
      settings: [],
    };
    const r = recorder(200, diff);
    const c = new DeploymentClient({ baseUrl: 'http://gw', fetch: r.fetch });
    expect(await c.getConfigDiff(D, P)).toEqual({ ok: true, data: diff });
    expect(r.seen[0].url).toBe(`http://gw/api/v1/deployments/${D}/config-diff?against=${P}`);
    // an answer that does not match the contract is an error Result, not data
    const wrong = new DeploymentClient({ baseUrl: 'http://gw', fetch: recorder(200, { variables: 'x' }).fetch });
    expect((await wrong.getConfigDiff(D, P)).ok).toBe(false);
  });

  it('reads a deployment\'s progress and the system status', async () => {
    const progress = {
      items: [{ at, fromStatus: null, status: 'queued', phase: 'queued', progress: 0, reason: null }],
      timings: { queueWaitMs: 5, statusMs: { queued: 5 }, phaseMs: { queued: 5 }, totalMs: null },
    };
    const r = recorder(200, progress);
    const c = new DeploymentClient({ baseUrl: 'http://gw', fetch: r.fetch });
    expect(await c.getProgress(D)).toEqual({ ok: true, data: progress });
    expect(r.seen[0].url).toBe(`http://gw/api/v1/deployments/${D}/progress`);
    const status = { items: [{ name: 'gateway', instanceId: 'g1', version: '1', uptimeS: 3, ready: true }] };
    const s = recorder(200, status);
    expect(await new DeploymentClient({ baseUrl: 'http://gw', fetch: s.fetch }).getSystemStatus()).toEqual({ ok: true, data: status });
    expect(s.seen[0].url).toBe('http://gw/api/v1/system/status');
  });

  it('reads analytics, detected variables and the pause, validates and resumes, each parsed with its contract', async () => {
    const analytics = {
      projectId: P, environmentId: null, from: at, to: at, total: 2, byStatus: { succeeded: 1, failed: 1 }, successRate: 0.5,
      totalMs: { p50: 10, p95: 20 }, durationMs: { p50: 8, p95: 9 }, queueWaitMs: { p50: 1, p95: 2 },
      phaseMs: { building: { p50: 5, p95: 7 } }, topErrors: [{ code: 'build/failed', count: 1 }],
    };
    const a = recorder(200, analytics);
    expect(await new DeploymentClient({ baseUrl: 'http://gw', fetch: a.fetch }).getAnalytics(P, { environmentId: D })).toEqual({ ok: true, data: analytics });
    expect(a.seen[0].url).toBe(`http://gw/api/v1/projects/${P}/analytics?environmentId=${D}`);

    const detected = {
      framework: 'node', commit: 'abc', files: ['package.json'], missing: ['DATABASE_URL'], invalid: [], warnings: [],
      items: [{ key: 'DATABASE_URL', description: 'Postgres', example: 'postgres://u:p@h/db', required: true, sensitive: true,
        rule: { kind: 'postgres-url' }, generatable: false, sources: ['dependency pg'], set: false, valid: null }],
    };
    const d = recorder(200, detected);
    expect(await new DeploymentClient({ baseUrl: 'http://gw', fetch: d.fetch }).detectVariables(P, D)).toEqual({ ok: true, data: detected });
    expect(d.seen[0].url).toBe(`http://gw/api/v1/projects/${P}/environments/${D}/detected-variables`);

    const verdict = { valid: false, errors: { DATABASE_URL: 'DATABASE_URL is not a postgres URL' },
      results: [{ key: 'DATABASE_URL', rule: { kind: 'postgres-url' }, valid: false, message: 'DATABASE_URL is not a postgres URL' }] };
    const v = recorder(200, verdict);
    expect(await new DeploymentClient({ baseUrl: 'http://gw', fetch: v.fetch }).validateVariables(D, { key: 'DATABASE_URL', value: 'x' }))
      .toEqual({ ok: true, data: verdict });
    expect(v.seen[0]).toMatchObject({ url: `http://gw/api/v1/environments/${D}/variables/validate`, init: { method: 'POST', body: '{"key":"DATABASE_URL","value":"x"}' } });

    const pause = { projectId: P, environmentId: D, paused: true, since: at, rollbackDeploymentId: D, pausedBy: 'admin' };
    const g = recorder(200, pause);
    expect(await new DeploymentClient({ baseUrl: 'http://gw', fetch: g.fetch }).getEnvironmentPause(P, D)).toEqual({ ok: true, data: pause });
    expect(g.seen[0].url).toBe(`http://gw/api/v1/projects/${P}/environments/${D}/pause`);
    const resumed = { projectId: P, environmentId: D, paused: false, ended: { since: at, rollbackDeploymentId: D, pausedBy: 'admin' } };
    const r = recorder(200, resumed);
    expect(await new DeploymentClient({ baseUrl: 'http://gw', fetch: r.fetch }).resumeEnvironment(P, D)).toEqual({ ok: true, data: resumed });
    expect(r.seen[0]).toMatchObject({ url: `http://gw/api/v1/projects/${P}/environments/${D}/resume`, init: { method: 'POST' } });
    // an answer off the contract is an error Result
    expect((await new DeploymentClient({ baseUrl: 'http://gw', fetch: recorder(200, { paused: 'yes' }).fetch }).getEnvironmentPause(P, D)).ok).toBe(false);
  });

  it("reads an environment's health parsed with its contract; no builder answering is service/unavailable", async () => {
    const health = { health: 'degraded', releaseDeploymentId: D, crashLooping: false, restarts: 2,
      lastFailure: { reason: 'health path /healthz answered 500', at }, updatedAt: at };
    const h = recorder(200, health);
    expect(await new DeploymentClient({ baseUrl: 'http://gw', fetch: h.fetch }).getEnvironmentHealth(P, D)).toEqual({ ok: true, data: health });
    expect(h.seen[0]).toMatchObject({ url: `http://gw/api/v1/projects/${P}/environments/${D}/health`, init: { method: 'GET' } });
    const none = { health: null, releaseDeploymentId: null, crashLooping: false, restarts: 0, lastFailure: null, updatedAt: null };
    expect(await new DeploymentClient({ baseUrl: 'http://gw', fetch: recorder(200, none).fetch }).getEnvironmentHealth(P, D)).toEqual({ ok: true, data: none });
    expect((await new DeploymentClient({ baseUrl: 'http://gw', fetch: recorder(200, { ...health, health: 'fine' }).fetch }).getEnvironmentHealth(P, D)).ok).toBe(false);
    const noBuilder = recorder(503, { error: { code: 'service/unavailable', message: 'no builder answered' } });
    expect(await new DeploymentClient({ baseUrl: 'http://gw', fetch: noBuilder.fetch }).getEnvironmentHealth(P, D)).toMatchObject({
      ok: false,
      error: { code: 'service/unavailable' },
    });
  });

  it('approves and rejects with a comment; a deployment held in a protection phase parses', async () => {
    for (const phase of ['awaiting_approval', 'waiting_timer', 'frozen'] as const) {
      const held = { ...deployment('queued'), phase, metadata: { protection: { waitingFor: '2 more approvals' } } };
      const g = recorder(200, held);
      expect(await new DeploymentClient({ baseUrl: 'http://gw', fetch: g.fetch }).getDeployment(D)).toMatchObject({ ok: true, data: { phase } });
    }
    const a = recorder(200, { ...deployment('queued'), phase: 'awaiting_approval' });
    expect((await new DeploymentClient({ baseUrl: 'http://gw', fetch: a.fetch }).approveDeployment(D, { comment: 'ok' })).ok).toBe(true);
    expect(a.seen[0]).toMatchObject({ url: `http://gw/api/v1/deployments/${D}/approve`, init: { method: 'POST', body: JSON.stringify({ comment: 'ok' }) } });
    const r = recorder(200, deployment('canceled'));
    expect(await new DeploymentClient({ baseUrl: 'http://gw', fetch: r.fetch }).rejectDeployment(D)).toMatchObject({ ok: true, data: { status: 'canceled' } });
    expect(r.seen[0].url).toBe(`http://gw/api/v1/deployments/${D}/reject`);
  });

  it('reads a followed deployment again when its project subscription is renewed after a reconnect, until unsubscribed', async () => {
    const gw = gateway();
    const c = new DeploymentClient({ baseUrl: 'http://gw', fetch: gw.fetch });
    const live = (c as unknown as { live: LiveConnection }).live;
    live.subscribeProject = async () => ({ ok: true, data: () => undefined });
    const seen: string[] = [];
    const sub = await c.subscribeToDeploymentStatus(D, (d) => seen.push(d.status));
    expect(seen).toEqual(['queued']);
    // it ended while the connection was down: no event came, the renewal reads it
    gw.set('succeeded');
    live.projectRenewedObservers.forEach((o) => o('00000000-0000-4000-8000-0000000000ff'));
    live.projectRenewedObservers.forEach((o) => o(P));
    // until the read lands (a condition, bounded), not a fixed wait
    for (let i = 0; i < 400 && !seen.includes('succeeded'); i++) await new Promise((r) => setTimeout(r, 5));
    expect(seen).toEqual(['queued', 'succeeded']);
    if (sub.ok) sub.data();
    expect(live.projectRenewedObservers.size).toBe(0);
    c.close();
  });

  it('tells a project subscriber when its subscription is renewed, until unsubscribed', async () => {
    const c = new DeploymentClient({ baseUrl: 'http://gw', fetch: gateway().fetch });
    const live = (c as unknown as { live: LiveConnection }).live;
    live.subscribeProject = async () => ({ ok: true, data: () => undefined });
    let renewals = 0;
    const sub = await c.subscribeToProjectDeployments(P, () => undefined, { onRenewed: () => renewals++ });
    live.projectRenewedObservers.forEach((o) => o(D));
    live.projectRenewedObservers.forEach((o) => o(P));
    expect(renewals).toBe(1);
    if (sub.ok) sub.data();
    expect(live.projectRenewedObservers.size).toBe(0);
    c.close();
  });
});

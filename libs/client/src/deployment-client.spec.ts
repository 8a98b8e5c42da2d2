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
});

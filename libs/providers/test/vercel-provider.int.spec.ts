import { createHash } from 'node:crypto';
import { type FakeVercelApi, eventually, signVercelWebhook, startFakeVercelApi } from '@flightdeck/testing';
import type { DeployRequest, ProviderHost } from '../src/deployment-provider';
import { staticArtifacts } from './static-artifact';
import { ProviderError, ProviderSettingsError } from '../src/provider-error';
import { ProviderRegistry } from '../src/provider-registry';
import { VercelProvider, type VercelSettings, vercelProvider } from '../src/vercel';

// The vercel provider against a local fake of Vercel's REST API (libs/testing): no network reaches vercel.com here.

const TOKEN = 'vercel-token-never-logged';
const artifacts = staticArtifacts();
const anArtifact = artifacts.make;
const SITE = { 'index.html': '<h1>one</h1>', 'about/index.html': '<h1>about</h1>', 'style.css': 'body{}' };

describe('the vercel provider, against a fake of the Vercel REST API', () => {
  let api: FakeVercelApi;
  let lines: { message: string; level?: string }[];
  const ctx = () => ({ log: (message: string, level?: string) => void lines.push({ message, level }), signal: new AbortController().signal });
  const host = (allowPrivateAddresses = true): ProviderHost => ({ dataDir: '/nowhere', env: {}, allowPrivateAddresses });
  const provider = (over: Partial<VercelSettings> = {}, token = TOKEN, secret?: string, h = host()) =>
    new VercelProvider({ project: 'shop', tokenVariable: 'VERCEL_TOKEN', target: 'production', apiUrl: api.url, buildTimeoutSeconds: 30, teamId: 'team_acme', ...over }, token, secret, h, {
      pollMs: 10,
      retry: { baseDelayMs: 20 },
    });
  const request = (files: Record<string, string> = SITE, over: Partial<DeployRequest> = {}): DeployRequest => ({
    deploymentId: `dep-${Math.random().toString(36).slice(2, 8)}`,
    projectName: 'shop',
    environmentName: 'production',
    commitSha: 'abc123',
    env: { API_KEY: 'secret' },
    source: { type: 'artifact', path: anArtifact(files), kind: 'static' },
    ...over,
  });
  const log = () => lines.map((l) => l.message).join('\n');

  beforeAll(async () => {
    api = await startFakeVercelApi(TOKEN);
    api.addProject('shop', 'team_acme');
  });
  beforeEach(() => {
    lines = [];
    api.requests.length = 0;
    api.build = () => ({ lines: ['Running "npm run build"', 'Deployed outputs'] });
  });
  afterAll(async () => {
    await api.stop();
    artifacts.cleanup();
  });

  it('uploads only the files Vercel lacks by SHA1, creates the deployment, follows it to READY with its events, and answers the production alias', async () => {
    // a file it already has (from another deployment): never uploaded again
    const css = { sha: createHash('sha1').update('body{}').digest('hex'), size: 6 };
    api.files.set(css.sha, Buffer.from('body{}'));
    const req = request();
    await provider().initialize(ctx());
    const result = await provider().deploy(req, ctx());

    const creates = api.requestsTo('POST', /^\/v13\/deployments$/);
    expect(creates).toHaveLength(2);
    const body = creates[0].body as { name: string; project: string; target: string; files: { file: string; sha: string; size: number }[]; meta: Record<string, string> };
    expect(body).toMatchObject({ name: 'shop', project: 'shop', target: 'production', meta: { flightdeckDeploymentId: req.deploymentId, githubCommitSha: 'abc123' } });
    expect(body.files.map((f) => f.file)).toEqual(['about/index.html', 'index.html', 'style.css']);
    expect(body.files[2]).toEqual({ file: 'style.css', sha: css.sha, size: 6 });
    expect(creates[0].query).toEqual({ teamId: 'team_acme' });
    expect(creates[0].headers.authorization).toBe(`Bearer ${TOKEN}`);

    const uploads = api.requestsTo('POST', /^\/v2\/files$/);
    expect(uploads.map((u) => u.headers['x-vercel-digest']).sort()).toEqual([body.files[0].sha, body.files[1].sha].sort());
    expect(uploads.find((u) => u.headers['x-vercel-digest'] === body.files[1].sha)).toMatchObject({ raw: Buffer.from('<h1>one</h1>'), headers: { 'x-vercel-size': '12', 'content-type': 'application/octet-stream' } });

    const d = api.deployments.get(result.providerDeploymentId!)!;
    expect(d.readyState).toBe('READY');
    expect(result).toEqual({ url: 'https://shop.vercel.app', previewUrl: `https://${d.url}`, providerDeploymentId: d.id });
    expect(log()).toContain('Uploading 2 of 3 files Vercel does not have yet');
    expect(log()).toContain('vercel: Running "npm run build"');
    expect(log()).toMatch(/Vercel deployment dpl_\S+: QUEUED[\s\S]*: BUILDING[\s\S]*: READY/);
    expect(log()).not.toContain(TOKEN);

    // the same files again: nothing to upload, one create
    api.requests.length = 0;
    await provider().deploy(request(), ctx());
    expect(api.requestsTo('POST', /^\/v2\/files$/)).toHaveLength(0);
    expect(api.requestsTo('POST', /^\/v13\/deployments$/)).toHaveLength(1);
  });

  it('ends a build that fails on Vercel in deployment/provider-error with its message', async () => {
    api.build = () => ({ lines: ['Command "npm run build" exited with 1'], error: { code: 'BUILD_FAILED', message: 'Command "npm run build" exited with 1' } });
    const e = await provider().deploy(request({ 'index.html': '<h1>broken</h1>' }), ctx()).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(ProviderError);
    expect((e as ProviderError).code).toBe('deployment/provider-error');
    expect((e as Error).message).toMatch(/^vercel: deployment dpl_\S+ failed: Command "npm run build" exited with 1 \(BUILD_FAILED\)$/);
    expect(log()).toContain('vercel: Error: Command "npm run build" exited with 1');
  });

  it('retries 5xx and 429 (waiting what X-RateLimit-Reset asks), then fails with Vercel\'s message and x-vercel-id', async () => {
    api.failNext({ method: 'POST', path: /^\/v2\/files$/, status: 502, message: 'An unexpected error occurred', code: 'internal_server_error' });
    api.rateLimitNext({ method: 'GET', path: /^\/v13\/deployments\// }, 1);
    const t0 = Date.now();
    await expect(provider().deploy(request({ 'index.html': '<h1>retried</h1>' }), ctx())).resolves.toMatchObject({ url: 'https://shop.vercel.app' });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    expect(log()).toMatch(/vercel: HTTP 502 Bad Gateway: An unexpected error occurred \(request id [0-9a-f-]{36}\): attempt 2/);
    expect(log()).toMatch(/vercel: HTTP 429 Too Many Requests: Rate limit exceeded .*: attempt 2 in [12](\.\d)? s/);

    api.failNext({ method: 'POST', path: /^\/v13\/deployments$/, status: 503, message: 'Service temporarily unavailable', times: 3 });
    const e = await provider().deploy(request(), ctx()).catch((err: unknown) => err);
    expect(e).toMatchObject({ code: 'deployment/provider-error', provider: 'vercel', details: { status: 503, requestId: expect.stringMatching(/^[0-9a-f-]{36}$/) } });
    expect((e as Error).message).toMatch(/^vercel: HTTP 503 Service Unavailable: Service temporarily unavailable \(request id [0-9a-f-]{36}\)$/);
  });

  it('refuses a bad token naming the setting, a Node build, and a private API address unless the operator allows it', async () => {
    const bad = provider({}, 'wrong-token');
    await expect(bad.initialize(ctx())).rejects.toThrow(/^provider vercel: settings\.tokenVariable holds a token Vercel refuses or has no access to team team_acme: HTTP 403 Forbidden: Not authorized \(request id [0-9a-f-]{36}\)$/);
    await expect(bad.deploy(request(), ctx())).rejects.toBeInstanceOf(ProviderSettingsError);
    expect(api.requestsTo('POST', /^\/v2\/files$/)).toHaveLength(0);

    const node = request(SITE, { source: { type: 'artifact', path: anArtifact(SITE), kind: 'node' } });
    await expect(provider().deploy(node, ctx())).rejects.toThrow(/this build is a Node server: Vercel runs servers as functions it builds from the source itself/);

    const refused = provider({}, TOKEN, undefined, host(false));
    await expect(refused.initialize(ctx())).rejects.toThrow('provider vercel: settings.apiUrl is refused: 127.0.0.1 resolves to 127.0.0.1, which is not a public address (set FLIGHTDECK_PROVIDERS_ALLOW_PRIVATE=true to allow it)');
    // and through the registry: the token comes from a sensitive variable
    const registry = new ProviderRegistry([vercelProvider]);
    expect(() => registry.create({ name: 'vercel', settings: { project: 'shop', tokenVariable: 'VERCEL_TOKEN' } }, [], host())).toThrow(
      'provider vercel: settings.tokenVariable names the variable VERCEL_TOKEN, which this environment does not have',
    );
  });

  it('rolls back by promoting the earlier deployment without a build, and reads status and cancels', async () => {
    const first = await provider().deploy(request({ 'index.html': '<h1>v1</h1>' }), ctx());
    const secondReq = request({ 'index.html': '<h1>v2</h1>' });
    const second = await provider().deploy(secondReq, ctx());
    expect(api.project('shop')!.productionDeploymentId).toBe(second.providerDeploymentId);
    const before = api.deployments.size;
    api.requests.length = 0;

    const rolled = await provider().rollback({ deploymentId: 'dep-rb', projectName: 'shop', environmentName: 'production', toDeploymentId: 'dep-1', toProviderDeploymentId: first.providerDeploymentId }, ctx());
    expect(rolled).toEqual({ url: 'https://shop.vercel.app', previewUrl: first.previewUrl, providerDeploymentId: first.providerDeploymentId });
    expect(api.requests.map((r) => `${r.method} ${r.path}`)).toEqual([`POST /v10/projects/shop/promote/${first.providerDeploymentId}`, `GET /v13/deployments/${first.providerDeploymentId}`]);
    expect(api.deployments.size).toBe(before);
    expect(api.project('shop')!.productionDeploymentId).toBe(first.providerDeploymentId);

    // without Vercel's id (the builder records none): found by the meta it was created with
    api.requests.length = 0;
    const forward = await provider().rollback({ deploymentId: 'dep-rb2', projectName: 'shop', environmentName: 'production', toDeploymentId: secondReq.deploymentId }, ctx());
    expect(forward.providerDeploymentId).toBe(second.providerDeploymentId);
    expect(api.requests[0]).toMatchObject({ method: 'GET', path: '/v6/deployments', query: { projectId: 'shop', 'meta-flightdeckDeploymentId': secondReq.deploymentId, limit: '1', teamId: 'team_acme' } });
    await expect(provider().rollback({ deploymentId: 'dep-rb3', projectName: 'shop', environmentName: 'production', toDeploymentId: 'never-deployed' }, ctx())).rejects.toThrow(
      'vercel: no deployment of never-deployed on the Vercel project shop: nothing to promote',
    );

    expect(await provider().status(first.providerDeploymentId!, ctx())).toBe('succeeded');
    await expect(provider().cancel(first.providerDeploymentId!, ctx())).rejects.toThrow(/Cannot cancel a deployment in state READY/);
  });

  it('cancels the build on Vercel when our deployment is canceled', async () => {
    api.build = () => ({ pending: true });
    const controller = new AbortController();
    const slow = request({ 'index.html': '<h1>slow</h1>' });
    const running = provider().deploy(slow, { log: (m: string) => void lines.push({ message: m }), signal: controller.signal });
    await eventually('the deployment is building on Vercel', () => [...api.deployments.values()].some((d) => d.readyState === 'BUILDING'));
    controller.abort();
    await expect(running).rejects.toThrow(/^vercel: deployment dpl_\S+ canceled: canceled on Vercel too$/);
    const building = [...api.deployments.values()].find((d) => d.meta.flightdeckDeploymentId === slow.deploymentId);
    expect(building?.readyState).toBe('CANCELED');
    expect(api.requestsTo('PATCH', /\/cancel$/).map((r) => r.path)).toEqual([`/v12/deployments/${building!.id}/cancel`]);
  });

  it('verifies x-vercel-signature (HMAC-SHA1 of the raw body) on its webhooks', () => {
    const SECRET = 'whsec-vercel';
    const d = { id: 'dpl_1', url: 'shop-abc.vercel.app', name: 'shop', projectId: 'prj_1', target: 'production' as const, readyState: 'ERROR' as const, files: [], meta: { flightdeckDeploymentId: 'dep-9' }, alias: [], createdAt: 0, events: [] };
    const body = Buffer.from(api.webhookBody('deployment.error', d));
    const p = provider({}, TOKEN, SECRET);
    expect(p.parseWebhook({ headers: { 'x-vercel-signature': signVercelWebhook(SECRET, body) }, rawBody: body })).toEqual({
      status: 'failed',
      providerDeploymentId: 'dpl_1',
      deploymentId: 'dep-9',
      url: 'https://shop-abc.vercel.app',
      message: 'deployment.error',
    });
    expect(() => p.parseWebhook({ headers: { 'x-vercel-signature': signVercelWebhook('other', body) }, rawBody: body })).toThrow('the signature (x-vercel-signature) does not match the body');
    expect(() => p.parseWebhook({ headers: {}, rawBody: body })).toThrow('does not match the body');
    expect(() => provider().parseWebhook({ headers: { 'x-vercel-signature': signVercelWebhook(SECRET, body) }, rawBody: body })).toThrow('no webhook secret is configured (settings.webhookSecretVariable)');
  });
});

import { createHash } from 'node:crypto';
import { type FakeNetlifyApi, type FakeNetlifySite, eventually, signNetlifyWebhook, startFakeNetlifyApi } from '@flightdeck/testing';
import type { DeployRequest, ProviderHost } from '../src/deployment-provider';
import { staticArtifacts } from './static-artifact';
import { ProviderError } from '../src/provider-error';
import { ProviderRegistry } from '../src/provider-registry';
import { NetlifyProvider, type NetlifySettings, netlifyProvider } from '../src/netlify';

// The netlify provider against a local fake of Netlify's API (libs/testing): no network reaches api.netlify.com here.

const TOKEN = 'nfp_token_never_logged';
const artifacts = staticArtifacts();
const anArtifact = artifacts.make;
const SITE = { 'index.html': '<h1>one</h1>', 'docs/a b.html': '<p>a</p>', 'copy.html': '<h1>one</h1>' };
const sha1 = (s: string) => createHash('sha1').update(s).digest('hex');

describe('the netlify provider, against a fake of the Netlify API', () => {
  let api: FakeNetlifyApi;
  let site: FakeNetlifySite;
  let lines: string[];
  const ctx = () => ({ log: (m: string) => void lines.push(m), signal: new AbortController().signal });
  const host: ProviderHost = { dataDir: '/nowhere', env: {}, allowPrivateAddresses: true };
  const provider = (over: Partial<NetlifySettings> = {}, token = TOKEN, secret?: string) =>
    new NetlifyProvider({ siteId: site.id, tokenVariable: 'NETLIFY_TOKEN', apiUrl: api.url, buildTimeoutSeconds: 30, ...over }, token, secret, host, { pollMs: 10, retry: { baseDelayMs: 20 } });
  const request = (files: Record<string, string> = SITE, over: Partial<DeployRequest> = {}): DeployRequest => ({
    deploymentId: `dep-${Math.random().toString(36).slice(2, 8)}`,
    projectName: 'docs',
    environmentName: 'production',
    commitSha: 'abcdef1234567890',
    env: {},
    source: { type: 'artifact', path: anArtifact(files), kind: 'static' },
    ...over,
  });

  beforeAll(async () => {
    api = await startFakeNetlifyApi(TOKEN);
    site = api.addSite('docs-site');
  });
  beforeEach(() => {
    lines = [];
    api.requests.length = 0;
    api.process = () => ({});
  });
  afterAll(async () => {
    await api.stop();
    artifacts.cleanup();
  });

  it('sends the file digests, PUTs only the required ones, follows the deploy to ready and answers the site URL', async () => {
    api.files.set(sha1('<p>a</p>'), Buffer.from('<p>a</p>'));
    const req = request();
    await provider().initialize(ctx());
    const result = await provider().deploy(req, ctx());

    const [create] = api.requestsTo('POST', /\/deploys$/);
    expect(create.path).toBe(`/api/v1/sites/${site.id}/deploys`);
    expect(create.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(create.body).toEqual({
      files: { '/copy.html': sha1('<h1>one</h1>'), '/docs/a b.html': sha1('<p>a</p>'), '/index.html': sha1('<h1>one</h1>') },
      title: `Flightdeck ${req.deploymentId} (abcdef123456)`,
    });
    // two files share one digest, one is known: a single PUT
    const puts = api.requestsTo('PUT', /\/files\//);
    expect(puts.map((p) => p.path)).toEqual([`/api/v1/deploys/${result.providerDeploymentId}/files/copy.html`]);
    expect(puts[0].headers['content-type']).toBe('application/octet-stream');
    expect(puts[0].raw.toString()).toBe('<h1>one</h1>');

    expect(result).toEqual({ url: 'https://docs-site.netlify.app', previewUrl: `https://${result.providerDeploymentId}--docs-site.netlify.app`, providerDeploymentId: result.providerDeploymentId });
    expect(site.publishedDeployId).toBe(result.providerDeploymentId);
    expect(lines.join('\n')).toMatch(/created \(uploading\)\n[\s\S]*: uploaded\n[\s\S]*: processing\n[\s\S]*: ready/);
    expect(lines.join('\n')).not.toContain(TOKEN);

    // a path with a space: URL-encoded in the PUT
    api.requests.length = 0;
    await provider().deploy(request({ 'docs/new page.html': '<p>new</p>' }), ctx());
    expect(api.requestsTo('PUT', /\/files\//).map((p) => p.path)).toEqual([expect.stringMatching(/\/files\/docs\/new%20page\.html$/)]);
  });

  it('reports a deploy that ends in error with Netlify\'s error_message', async () => {
    api.process = () => ({ error: 'Failed to process deploy: _redirects has an invalid rule' });
    await expect(provider().deploy(request({ 'index.html': '<h1>bad</h1>' }), ctx())).rejects.toThrow(/^netlify: deploy \w+ failed \(error\): Failed to process deploy: _redirects has an invalid rule$/);
  });

  it('retries 5xx and a 429 until X-RateLimit-Reset, then fails with the message and x-nf-request-id; a bad token names the setting', async () => {
    api.failNext({ method: 'PUT', path: /\/files\//, status: 500, message: 'Internal Server Error' });
    api.rateLimitNext({ method: 'GET', path: /^\/api\/v1\/deploys\// }, 1);
    const t0 = Date.now();
    await expect(provider().deploy(request({ 'index.html': '<h1>retried</h1>' }), ctx())).resolves.toMatchObject({ url: 'https://docs-site.netlify.app' });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    expect(lines.join('\n')).toMatch(/netlify: HTTP 500 Internal Server Error: Internal Server Error \(request id [0-9a-f-]{36}\): attempt 2/);
    expect(api.requestsTo('PUT', /\/files\//)).toHaveLength(2);

    api.failNext({ method: 'POST', path: /\/deploys$/, status: 503, message: 'upstream unavailable', times: 3 });
    const e = await provider().deploy(request(), ctx()).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(ProviderError);
    expect((e as Error).message).toMatch(/^netlify: HTTP 503 Service Unavailable: upstream unavailable \(request id [0-9a-f-]{36}\)$/);

    await expect(provider({}, 'wrong').initialize(ctx())).rejects.toThrow(/^provider netlify: settings\.tokenVariable holds a token Netlify refuses: HTTP 401 Unauthorized: Access Denied: Origin returned bad status 401 \(request id [0-9a-f-]{36}\)$/);
    await expect(provider().deploy(request(SITE, { source: { type: 'artifact', path: anArtifact(SITE), kind: 'node' } }), ctx())).rejects.toThrow(/this build is a Node server/);
    const registry = new ProviderRegistry([netlifyProvider]);
    expect(registry.validate({ name: 'netlify', settings: { siteId: 's', tokenVariable: 'T' } })).toMatchObject({ apiUrl: 'https://api.netlify.com', buildTimeoutSeconds: 900 });
  });

  it('rolls back by restoring the earlier deploy without uploading anything', async () => {
    const first = await provider().deploy(request({ 'index.html': '<h1>v1</h1>' }), ctx());
    const secondReq = request({ 'index.html': '<h1>v2</h1>' });
    const second = await provider().deploy(secondReq, ctx());
    expect(site.publishedDeployId).toBe(second.providerDeploymentId);
    api.requests.length = 0;
    const rolled = await provider().rollback({ deploymentId: 'dep-rb', projectName: 'docs', environmentName: 'production', toDeploymentId: 'dep-1', toProviderDeploymentId: first.providerDeploymentId }, ctx());
    expect(rolled).toEqual(first);
    expect(api.requests.map((r) => `${r.method} ${r.path}`)).toEqual([`POST /api/v1/sites/${site.id}/deploys/${first.providerDeploymentId}/restore`]);
    expect(site.publishedDeployId).toBe(first.providerDeploymentId);
    expect(await provider().status(first.providerDeploymentId!, ctx())).toBe('succeeded');
    // without Netlify's id (the builder records none): found by the deploy's title
    const forward = await provider().rollback({ deploymentId: 'dep-rb2', projectName: 'docs', environmentName: 'production', toDeploymentId: secondReq.deploymentId }, ctx());
    expect(forward.providerDeploymentId).toBe(second.providerDeploymentId);
    expect(site.publishedDeployId).toBe(second.providerDeploymentId);
    await expect(provider().rollback({ deploymentId: 'dep-rb3', projectName: 'docs', environmentName: 'production', toDeploymentId: 'never' }, ctx())).rejects.toThrow(/no ready deploy of never on the Netlify site/);
  });

  it('cancels the deploy on Netlify when our deployment is canceled', async () => {
    api.process = () => ({ pending: true });
    const controller = new AbortController();
    const slow = request({ 'index.html': '<h1>slow</h1>' });
    const running = provider().deploy(slow, { log: (m: string) => void lines.push(m), signal: controller.signal });
    await eventually('the deploy is processing on Netlify', () => [...api.deploys.values()].some((d) => d.title?.includes(slow.deploymentId) && d.state === 'processing'));
    controller.abort();
    await expect(running).rejects.toThrow(/^netlify: deploy \w+ canceled: canceled on Netlify too$/);
    const d = [...api.deploys.values()].find((x) => x.title?.includes(slow.deploymentId))!;
    expect(d).toMatchObject({ state: 'error', errorMessage: 'Canceled build' });
    expect(api.requestsTo('POST', /\/cancel$/).map((r) => r.path)).toEqual([`/api/v1/deploys/${d.id}/cancel`]);
  });

  it('verifies X-Webhook-Signature (a JWS HS256 carrying the body\'s SHA256)', () => {
    const SECRET = 'netlify-jws-secret';
    const d = { id: 'd1', siteId: site.id, state: 'error' as const, files: {}, required: [], title: 'Flightdeck dep-7 (abc)', errorMessage: 'Build script returned non-zero exit code: 2', createdAt: '' };
    const body = Buffer.from(api.webhookBody(d));
    const p = provider({}, TOKEN, SECRET);
    expect(p.parseWebhook({ headers: { 'x-webhook-signature': signNetlifyWebhook(SECRET, body) }, rawBody: body })).toEqual({
      status: 'failed',
      providerDeploymentId: 'd1',
      deploymentId: 'dep-7',
      url: `https://d1--docs-site.netlify.app`,
      message: 'Build script returned non-zero exit code: 2',
    });
    expect(() => p.parseWebhook({ headers: { 'x-webhook-signature': signNetlifyWebhook('other', body) }, rawBody: body })).toThrow('does not verify with the secret');
    expect(() => p.parseWebhook({ headers: { 'x-webhook-signature': signNetlifyWebhook(SECRET, 'another body') }, rawBody: body })).toThrow('is of another body');
    expect(() => p.parseWebhook({ headers: {}, rawBody: body })).toThrow('is not a JWS');
  });
});

import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type FakeRenderApi, type FakeRenderService, startFakeRenderApi } from '@flightdeck/testing';
import { ProviderError, ProviderSettingsError } from '../src';
import { RenderProvider, RenderSettings } from '../src/render';

// The render provider against a local fake of Render's REST API (libs/testing): Render is not
// reachable from here or from CI.

const KEY = 'rnd_fake_key';
const COMMIT = 'abc1234'.padEnd(40, '0');

describe('the render provider, against the fake Render API', () => {
  let render: FakeRenderApi;
  let svc: FakeRenderService;
  let dataDir: string;
  let lines: { message: string; level?: string }[];
  const ctx = () => ({ log: (message: string, level?: string) => void lines.push({ message, level }), signal: new AbortController().signal });
  const provider = (over: Record<string, unknown> = {}, key = KEY) =>
    new RenderProvider(RenderSettings.parse({ serviceId: svc.id, apiKeyVariable: 'RENDER_API_KEY', apiUrl: `${render.url}/v1`, pollIntervalMs: 100, ...over }), key, { dataDir, env: {}, allowPrivateAddresses: true }, { retry: { baseDelayMs: 20 } });
  const aDeploy = () => ({ deploymentId: randomUUID(), projectName: 'shop', environmentName: 'production', env: { SECRET: 'never-sent' }, commitSha: COMMIT, source: { type: 'artifact' as const, path: '/unused', kind: 'node' as const } });
  const sent = () => render.requests.map((r) => `${r.method} ${r.path}`);
  const log = () => lines.map((l) => l.message).join('\n');

  beforeAll(async () => {
    render = await startFakeRenderApi();
    dataDir = mkdtempSync(join(tmpdir(), 'fd-render-'));
  });
  beforeEach(() => {
    lines = [];
    render.requests.length = 0;
    render.deployBehaviour = () => ({});
    svc = render.addService('shop');
  });
  afterAll(async () => {
    await render.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('triggers a deploy of the commit, follows its status and build log, and answers the service URL', async () => {
    render.deployBehaviour = () => ({ steps: ['queued', 'build_in_progress', 'update_in_progress', 'live'], logs: ['==> Cloning from https://github.com/acme/shop', '==> Build successful 🎉'] });
    const result = await provider().deploy(aDeploy(), ctx());

    expect(render.requests[0]).toMatchObject({ method: 'POST', path: `/v1/services/${svc.id}/deploys`, body: { clearCache: 'do_not_clear', commitId: COMMIT } });
    expect(render.requests.every((r) => r.headers.authorization === `Bearer ${KEY}`)).toBe(true);
    expect(sent().filter((s) => s.endsWith(`/deploys/${svc.deploys[0].id}`))).toHaveLength(4);
    const logCall = render.requestsTo('GET', /^\/v1\/logs$/)[0];
    expect(logCall.query).toMatchObject({ ownerId: svc.ownerId, resource: svc.id, type: 'build', direction: 'forward', startTime: svc.deploys[0].createdAt, limit: '100' });
    expect(result).toEqual({ url: 'https://shop.onrender.com', providerDeploymentId: svc.deploys[0].id });
    const messages = lines.map((l) => l.message);
    const at = (m: string) => messages.findIndex((x) => x.includes(m));
    expect(at('queued (queued)')).toBeLessThan(at('build_in_progress (building)'));
    expect(at('build_in_progress (building)')).toBeLessThan(at('update_in_progress (deploying)'));
    expect(messages.filter((m) => m === '==> Cloning from https://github.com/acme/shop')).toHaveLength(1);
    expect(at('==> Build successful 🎉')).toBeLessThan(at('live (succeeded)'));
    expect(log()).not.toContain('never-sent');
  });

  it('fails with the status and the last build line when the build fails', async () => {
    render.deployBehaviour = () => ({ steps: ['build_in_progress', 'build_failed'], logs: ['npm ERR! missing script: build'] });
    await expect(provider({ clearCache: true }).deploy(aDeploy(), ctx())).rejects.toThrow(/^render: deploy dep-[0-9a-f]+ ended build_failed: npm ERR! missing script: build$/);
    expect(render.requests[0].body).toMatchObject({ clearCache: 'clear' });
  });

  it('gives up on a deploy that never goes live after timeoutSeconds, and can cancel it', async () => {
    render.deployBehaviour = () => ({ steps: ['build_in_progress'], logs: ['==> Installing dependencies (slowly)'] });
    const started = Date.now();
    await expect(provider({ timeoutSeconds: 1 }).deploy(aDeploy(), ctx())).rejects.toThrow(
      /^render: deploy (dep-[0-9a-f]+) did not go live within 1 s \(settings\.timeoutSeconds\): still build_in_progress; its last log line: ==> Installing dependencies \(slowly\)$/,
    );
    expect(Date.now() - started).toBeLessThan(3_000);
    const p = provider();
    await expect(p.status(svc.deploys[0].id, ctx())).resolves.toBe('building');
    await p.cancel(svc.deploys[0].id, ctx());
    expect(render.requests.at(-1)).toMatchObject({ method: 'POST', path: `/v1/services/${svc.id}/deploys/${svc.deploys[0].id}/cancel` });
    await expect(p.status(svc.deploys[0].id, ctx())).resolves.toBe('canceled');
  });

  it('rolls back through Render\'s rollback to the deploy of the earlier deployment', async () => {
    const p = provider();
    const one = aDeploy();
    const first = await p.deploy(one, ctx());
    await p.deploy(aDeploy(), ctx());
    expect(svc.deploys.map((d) => d.status)).toEqual(['live', 'deactivated']);
    render.requests.length = 0;
    // the builder gives no Render id: the provider noted it in its data dir
    const back = await p.rollback({ deploymentId: randomUUID(), projectName: 'shop', environmentName: 'production', toDeploymentId: one.deploymentId }, ctx());
    expect(render.requests[0]).toMatchObject({ method: 'POST', path: `/v1/services/${svc.id}/rollback`, body: { deployId: first.providerDeploymentId } });
    expect(back).toEqual({ url: 'https://shop.onrender.com', providerDeploymentId: svc.deploys[0].id });
    expect(svc.deploys[0]).toMatchObject({ trigger: 'rollback', status: 'live', commit: { id: COMMIT } });
    await expect(p.rollback({ deploymentId: randomUUID(), projectName: 'shop', environmentName: 'production', toDeploymentId: randomUUID() }, ctx())).rejects.toThrow(/^render: no Render deploy is known for deployment/);
  });

  it('waits out a 429 for as long as Ratelimit-Reset says, retries a 5xx, then fails with Render\'s message and request id', async () => {
    render.failNext({ method: 'POST', path: /\/deploys$/, status: 429, message: 'rate limit exceeded', headers: { 'Ratelimit-Reset': '1' } });
    const started = Date.now();
    await provider().deploy(aDeploy(), ctx());
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    expect(render.requestsTo('POST', /\/deploys$/)).toHaveLength(2);
    expect(lines[0]).toMatchObject({ level: 'warn', message: expect.stringMatching(/^render: HTTP 429 Too Many Requests: rate limit exceeded \(request id [0-9a-f-]{36}\): attempt 2 in 1 s$/) });

    render.failNext({ method: 'POST', path: /\/deploys$/, status: 503, message: 'service unavailable', times: 3 });
    const err = (await provider()
      .deploy(aDeploy(), ctx())
      .catch((e: unknown) => e)) as ProviderError;
    const last = render.requestsTo('POST', /\/deploys$/).at(-1)!;
    expect(err.message).toBe(`render: HTTP 503 Service Unavailable: service unavailable (request id ${last.requestId})`);
    expect(err.details).toMatchObject({ status: 503, requestId: last.requestId });
  });

  it('names the API key setting when Render refuses it, and the service setting for an unknown service, before any deploy', async () => {
    const err = (await provider({}, 'rnd_wrong')
      .initialize(ctx())
      .catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(ProviderSettingsError);
    expect(err.message).toMatch(/^provider render: settings\.apiKeyVariable holds an API key Render refuses: HTTP 401 Unauthorized: unauthorized \(request id [0-9a-f-]{36}\)$/);
    await expect(provider({ serviceId: 'srv-gone' }).initialize(ctx())).rejects.toThrow('provider render: settings.serviceId names no service this API key can see: HTTP 404 Not Found: service not found');
    expect(render.requestsTo('POST', /./)).toEqual([]);
    await provider().initialize(ctx());
    expect(log()).toContain(`Render service shop (${svc.id}) at https://shop.onrender.com`);
  });
});

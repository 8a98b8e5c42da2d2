import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { signHookBody, verifyHookSignature } from '@flightdeck/runtime';
import type { DeployRequest, ProviderHost } from '../deployment-provider';
import { ProviderRegistry } from '../provider-registry';
import { customProvider } from './custom.provider';

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;

// Against a real HTTP receiver on 127.0.0.1: what a team's endpoint gets and how its answers end the deploy.
describe('the custom provider', () => {
  let server: Server;
  let url: string;
  const received: { headers: IncomingMessage['headers']; body: string }[] = [];
  const answers: Handler[] = [];
  const SECRET = 'whsec-custom-e2e';
  const registry = new ProviderRegistry([customProvider]);
  const host = (allowPrivateAddresses = true): ProviderHost => ({ dataDir: '/nowhere', env: {}, allowPrivateAddresses });
  const secretVar = [{ key: 'HOOK_SECRET', value: SECRET, sensitive: true }];
  const make = (h = host()) => registry.create({ name: 'custom', settings: { url, secretVariable: 'HOOK_SECRET', timeoutMs: 2_000 } }, secretVar, h);
  const lines: string[] = [];
  const ctx = { log: (m: string) => lines.push(m), signal: new AbortController().signal };
  const request: DeployRequest = {
    deploymentId: 'dep-1',
    projectId: 'proj-1',
    projectName: 'shop',
    environmentName: 'production',
    commitSha: 'abc123',
    env: { PUBLIC_URL: 'https://shop.example', API_KEY: 'k-secret' },
    sensitiveKeys: ['API_KEY'],
    source: { type: 'artifact', path: '/tmp/x.tar.gz', kind: 'node', startCommand: ['node', 'server.js'] },
  };

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        const next = answers.shift() ?? ((_q, _b, r) => r.writeHead(500).end());
        next(req, body, res);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/deploy`;
  });
  afterAll(() => new Promise((r) => server.close(r)));
  beforeEach(() => {
    received.length = 0;
    lines.length = 0;
  });
  const json = (status: number, body: unknown, headers: Record<string, string> = {}): Handler => (_q, _b, r) => r.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));

  it('posts the deployment signed like the outgoing hooks, sensitive values withheld, and takes the URL it answers', async () => {
    answers.push(json(200, { url: 'https://shop.internal.example/', id: 'rel-42', logs: ['pulled image', 'switched traffic'] }));
    const provider = make();
    await provider.initialize!(ctx);
    const result = await provider.deploy(request, ctx);
    expect(result).toEqual({ url: 'https://shop.internal.example/', providerDeploymentId: 'rel-42' });
    const [{ headers, body }] = received;
    expect(verifyHookSignature(SECRET, body, headers['x-flightdeck-signature-256'] as string)).toBe(true);
    expect(headers['x-flightdeck-signature-256']).toBe(signHookBody(SECRET, body));
    expect(headers['x-flightdeck-event']).toBe('deployment.deploy');
    const sent = JSON.parse(body);
    expect(sent).toMatchObject({
      event: 'deployment.deploy',
      deployment: { id: 'dep-1', projectId: 'proj-1', projectName: 'shop', environmentName: 'production', commitSha: 'abc123' },
      source: { type: 'artifact', kind: 'node', startCommand: ['node', 'server.js'] },
      variables: { PUBLIC_URL: 'https://shop.example' },
      sensitiveVariables: ['API_KEY'],
    });
    expect(body).not.toContain('k-secret');
    expect(lines).toEqual(expect.arrayContaining(['pulled image', 'switched traffic', `${url} serves it at https://shop.internal.example/`]));
  });

  it('retries a 503 after the Retry-After it asks, then fails a 401 at once with deployment/provider-error, its message and request id', async () => {
    answers.push(json(503, { message: 'busy' }, { 'retry-after': '1' }), json(200, { url: 'https://ok.example/' }));
    const t0 = Date.now();
    await expect(make().deploy(request, ctx)).resolves.toMatchObject({ url: 'https://ok.example/' });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(950);
    expect(received).toHaveLength(2);
    expect(lines.some((l) => l.startsWith('custom: HTTP 503 Service Unavailable: busy: attempt 2 in 1 s'))).toBe(true);

    received.length = 0;
    answers.push(json(401, { error: { message: 'bad signature' } }, { 'x-request-id': 'rq-7' }));
    const e = await make().deploy(request, ctx).catch((err: unknown) => err);
    expect(e).toMatchObject({ code: 'deployment/provider-error', provider: 'custom', details: { status: 401, requestId: 'rq-7' } });
    expect((e as Error).message).toBe('custom: HTTP 401 Unauthorized: bad signature (request id rq-7)');
    expect(received).toHaveLength(1);

    // without a credential to report back with (this host issues none), an answer must name the url
    answers.push(json(200, { nope: true }));
    await expect(make().deploy(request, ctx)).rejects.toThrow('custom: answered without a url: it must answer {"url": "<where it serves the deployment>"}');
  });

  it('cuts an endpoint that never answers at timeoutMs, tries again, then fails with deployment/provider-error saying so', async () => {
    const hang: Handler = () => undefined; // the request is read, never answered
    answers.push(hang, hang, hang);
    const slow = registry.create({ name: 'custom', settings: { url, secretVariable: 'HOOK_SECRET', timeoutMs: 1_000 } }, secretVar, host());
    const t0 = Date.now();
    const e = await slow.deploy(request, ctx).catch((err: unknown) => err);
    expect(e).toMatchObject({ code: 'deployment/provider-error', provider: 'custom', retryable: true });
    expect((e as Error).message).toBe('custom: no answer within 1000 ms');
    expect(received).toHaveLength(3);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(3 * 1_000 + 500 + 1_000 - 100); // 3 attempts, backoff 0.5 s then 1 s
  });

  it('refuses a private address unless the operator allows it, naming the setting', async () => {
    const refused = make(host(false));
    await expect(refused.initialize!(ctx)).rejects.toThrow(
      'provider custom: settings.url is refused: 127.0.0.1 resolves to 127.0.0.1, which is not a public address (set FLIGHTDECK_PROVIDERS_ALLOW_PRIVATE=true to allow it)',
    );
    await expect(refused.deploy(request, ctx)).rejects.toMatchObject({ code: 'deployment/invalid-configuration', setting: 'settings.url' });
    expect(received).toHaveLength(0);
  });

  it('verifies and parses the status events the endpoint sends back', () => {
    const provider = make();
    const body = Buffer.from(JSON.stringify({ deploymentId: 'dep-1', status: 'succeeded', url: 'https://shop.example/' }));
    expect(provider.parseWebhook!({ headers: { 'x-flightdeck-signature-256': signHookBody(SECRET, body) }, rawBody: body })).toEqual({
      deploymentId: 'dep-1',
      status: 'succeeded',
      url: 'https://shop.example/',
    });
    expect(() => provider.parseWebhook!({ headers: { 'x-flightdeck-signature-256': signHookBody('other', body) }, rawBody: body })).toThrow('does not match the body');
    expect(() => provider.parseWebhook!({ headers: {}, rawBody: body })).toThrow('does not match the body');
  });
});

import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { deploymentIdOfPublisherToken } from '@flightdeck/contracts';
import { BUILT_IN_PROVIDERS, type DeployRequest, ProviderError, ProviderRegistry } from '@flightdeck/providers';
import { ProviderReports } from './provider-reports';

// The custom provider with the builder's credentials: an endpoint that answers 202 and reports its
// result with the credential it was sent, against a real HTTP receiver on 127.0.0.1.
describe('the custom provider reporting back with its short-lived credential', () => {
  let server: Server;
  let url: string;
  let onRequest: (body: { publisher: { token: string; path: string; expiresAt: string } }) => void = () => undefined;
  const reports = new ProviderReports();
  const registry = new ProviderRegistry(BUILT_IN_PROVIDERS);
  const request: DeployRequest = {
    deploymentId: '0b8e5c1e-3f43-4f6b-9b52-1f1c2d3e4f50',
    projectId: 'p',
    projectName: 'shop',
    environmentName: 'production',
    env: {},
    source: { type: 'artifact', path: '/tmp/x.tar.gz', kind: 'node' },
  };
  const other = '7d9f0b2a-1c3e-4a5b-8c7d-9e0f1a2b3c4d';
  const make = (reportTimeoutMs = 5_000) =>
    registry.create(
      { name: 'custom', settings: { url, secretVariable: 'S', timeoutMs: 2_000, reportTimeoutMs } },
      [{ key: 'S', value: 'secret', sensitive: true }],
      { dataDir: '/nowhere', env: {}, allowPrivateAddresses: true, issuePublisherCredential: (t, ttl, on) => reports.issue(t, ttl, on) },
    );

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        res.writeHead(202, { 'content-type': 'application/json' }).end('{}');
        setImmediate(() => onRequest(JSON.parse(body)));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/deploy`;
  });
  afterAll(() => new Promise((r) => server.close(r)));

  it('takes the log lines and the result reported with it, for its deployment only, and never logs the token', async () => {
    const lines: string[] = [];
    let token = '';
    const verdicts: boolean[] = [];
    onRequest = ({ publisher }) => {
      token = publisher.token;
      expect(publisher.path).toBe(`/api/v1/deployments/${request.deploymentId}/provider-report`);
      expect(Date.parse(publisher.expiresAt)).toBeGreaterThan(Date.now());
      expect(deploymentIdOfPublisherToken(token)).toBe(request.deploymentId);
      verdicts.push(reports.accept(other, token, { kind: 'log', lines: ['not mine'] }));
      verdicts.push(reports.accept(request.deploymentId, `${token.slice(0, -2)}xx`, { kind: 'log', lines: ['forged'] }));
      verdicts.push(reports.accept(request.deploymentId, token, { kind: 'log', lines: ['image pulled by our deployer'] }));
      verdicts.push(reports.accept(request.deploymentId, token, { kind: 'result', outcome: 'succeeded', url: 'https://shop.deployer.example/' }));
    };
    const result = await make().deploy(request, { log: (m) => lines.push(m), signal: new AbortController().signal });
    expect(result.url).toBe('https://shop.deployer.example/');
    expect(verdicts).toEqual([false, false, true, true]);
    expect(lines).toContain('image pulled by our deployer');
    expect(lines.join('\n')).not.toContain(token);
    // the builder revokes it when the provider's call ends (DeploymentProviders.deploy's finally)
    reports.revoke(request.deploymentId);
    expect(reports.accept(request.deploymentId, token, { kind: 'log', lines: ['late'] })).toBe(false);
  });

  it('fails with the failure its system reports, and with reportTimeoutMs when none comes', async () => {
    onRequest = ({ publisher }) => reports.accept(request.deploymentId, publisher.token, { kind: 'result', outcome: 'failed', message: 'quota exceeded' });
    const ctx = { log: () => undefined, signal: new AbortController().signal };
    await expect(make().deploy(request, ctx)).rejects.toThrow(new ProviderError('custom', 'its system reported failure: quota exceeded'));
    onRequest = () => undefined;
    await expect(make(1_000).deploy(request, ctx)).rejects.toThrow(/reported no result within 1000 ms \(settings.reportTimeoutMs\)/);
  });

  it('an expired credential is refused', () => {
    const issued = reports.issue({ deploymentId: other, projectName: 'shop', environmentName: 'p' }, 0, () => undefined);
    expect(reports.accept(other, issued.token, { kind: 'log', lines: ['x'] })).toBe(false);
  });
});

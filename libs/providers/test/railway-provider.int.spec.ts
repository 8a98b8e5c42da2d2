import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type FakeRailwayApi, startFakeRailwayApi } from '@flightdeck/testing';
import { ProviderError, ProviderSettingsError } from '../src';
import { RailwayProvider, RailwaySettings } from '../src/railway';

// The railway provider against a local fake of Railway's public GraphQL API (libs/testing):
// Railway is not reachable from here or from CI.

const TOKEN = 'railway-fake-token';
const COMMIT = 'feed'.padEnd(40, '0');

describe('the railway provider, against the fake Railway GraphQL API', () => {
  let railway: FakeRailwayApi;
  let ids: { serviceId: string; environmentId: string };
  let dataDir: string;
  let lines: { message: string; level?: string }[];
  const ctx = () => ({ log: (message: string, level?: string) => void lines.push({ message, level }), signal: new AbortController().signal });
  const provider = (over: Record<string, unknown> = {}, token = TOKEN) =>
    new RailwayProvider(RailwaySettings.parse({ ...ids, tokenVariable: 'RAILWAY_TOKEN', apiUrl: `${railway.url}/graphql`, pollIntervalMs: 100, ...over }), token, { dataDir, env: {}, allowPrivateAddresses: true }, { retry: { baseDelayMs: 20 } });
  const aDeploy = () => ({ deploymentId: randomUUID(), projectName: 'shop', environmentName: 'production', env: {}, commitSha: COMMIT, source: { type: 'artifact' as const, path: '/unused', kind: 'node' as const } });
  const log = () => lines.map((l) => l.message).join('\n');

  beforeAll(async () => {
    railway = await startFakeRailwayApi();
    dataDir = mkdtempSync(join(tmpdir(), 'fd-railway-'));
  });
  beforeEach(() => {
    lines = [];
    railway.requests.length = 0;
    railway.deployBehaviour = () => ({});
    const { serviceId, environmentId } = railway.addService('shop');
    ids = { serviceId, environmentId };
  });
  afterAll(async () => {
    await railway.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('deploys the commit with serviceInstanceDeployV2, follows its status and build log, and answers its domain', async () => {
    railway.deployBehaviour = () => ({ steps: ['QUEUED', 'BUILDING', 'DEPLOYING', 'SUCCESS'], buildLogs: ['[nixpacks] install npm ci', 'Build time: 9.1 seconds'] });
    const result = await provider().deploy(aDeploy(), ctx());

    const [trigger] = railway.requests;
    expect(trigger).toMatchObject({ method: 'POST', path: '/graphql/v2', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' } });
    expect(trigger.body).toEqual({
      query: 'mutation Deploy($serviceId: String!, $environmentId: String!, $commitSha: String) { serviceInstanceDeployV2(serviceId: $serviceId, environmentId: $environmentId, commitSha: $commitSha) }',
      variables: { ...ids, commitSha: COMMIT },
    });
    const id = railway.deployments[0].id;
    expect(railway.calls('deployment')).toHaveLength(4);
    expect(railway.calls('buildLogs')[0].body).toMatchObject({ variables: { id } });
    expect(result).toEqual({ url: 'https://shop-production.up.railway.app', providerDeploymentId: id });
    const messages = lines.map((l) => l.message);
    expect(messages.filter((m) => m === '[nixpacks] install npm ci')).toHaveLength(1);
    expect(messages.findIndex((m) => m.endsWith('BUILDING (building)'))).toBeLessThan(messages.findIndex((m) => m.endsWith('SUCCESS (succeeded)')));
    expect(messages.indexOf('Build time: 9.1 seconds')).toBeLessThan(messages.findIndex((m) => m.endsWith('SUCCESS (succeeded)')));
  });

  it('fails with the status and the last line: a failed build, a crashed start', async () => {
    railway.deployBehaviour = () => ({ steps: ['BUILDING', 'FAILED'], buildLogs: ['npm ERR! code ELIFECYCLE'] });
    await expect(provider().deploy(aDeploy(), ctx())).rejects.toThrow(/^railway: deployment [0-9a-f-]{36} ended FAILED: npm ERR! code ELIFECYCLE$/);
    railway.deployBehaviour = () => ({ steps: ['BUILDING', 'DEPLOYING', 'CRASHED'], deployLogs: ['Error: Cannot find module \'/app/server.js\''] });
    await expect(provider().deploy(aDeploy(), ctx())).rejects.toThrow(/^railway: deployment [0-9a-f-]{36} ended CRASHED: Error: Cannot find module '\/app\/server\.js'$/);
  });

  it('gives up on a deployment that never succeeds after timeoutSeconds, and can cancel it', async () => {
    railway.deployBehaviour = () => ({ steps: ['BUILDING'], buildLogs: ['[nixpacks] install npm ci'] });
    const started = Date.now();
    await expect(provider({ timeoutSeconds: 1 }).deploy(aDeploy(), ctx())).rejects.toThrow(/^railway: deployment [0-9a-f-]{36} did not succeed within 1 s \(settings\.timeoutSeconds\): still BUILDING; its last log line: \[nixpacks\] install npm ci$/);
    expect(Date.now() - started).toBeLessThan(3_000);
    const p = provider();
    const id = railway.deployments[0].id;
    await expect(p.status(id, ctx())).resolves.toBe('building');
    await p.cancel(id, ctx());
    expect(railway.calls('deploymentCancel')[0].body).toMatchObject({ variables: { id } });
    await expect(p.status(id, ctx())).resolves.toBe('canceled');
  });

  it('rolls back with deploymentRollback of the earlier deployment and follows the deployment it starts', async () => {
    const p = provider();
    const one = aDeploy();
    const first = await p.deploy(one, ctx());
    await p.deploy(aDeploy(), ctx());
    const mine = () => railway.deployments.filter((d) => d.serviceId === ids.serviceId);
    expect(mine().map((d) => d.status)).toEqual(['SUCCESS', 'REMOVED']);
    railway.requests.length = 0;
    const back = await p.rollback({ deploymentId: randomUUID(), projectName: 'shop', environmentName: 'production', toDeploymentId: one.deploymentId }, ctx());
    expect(railway.calls('deploymentRollback')[0].body).toMatchObject({ variables: { id: first.providerDeploymentId } });
    expect(back).toEqual({ url: 'https://shop-production.up.railway.app', providerDeploymentId: railway.deployments[0].id });
    expect(railway.deployments[0]).toMatchObject({ status: 'SUCCESS', commitSha: COMMIT });
    expect(mine().map((d) => d.status)).toEqual(['SUCCESS', 'REMOVED', 'REMOVED']);
  });

  it('waits out a 429 as Retry-After says, retries a 5xx, then fails with Railway\'s message and request id; GraphQL errors carry it too', async () => {
    railway.failNext({ path: /graphql/, match: (r) => JSON.stringify(r.body).includes('serviceInstanceDeployV2'), status: 429, message: 'Rate limit exceeded', headers: { 'Retry-After': '1' } });
    const started = Date.now();
    await provider().deploy(aDeploy(), ctx());
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    expect(lines[0]).toMatchObject({ level: 'warn', message: expect.stringMatching(/^railway: HTTP 429: Rate limit exceeded \(request id [0-9a-f-]{36}\): attempt 2 in 1 s$/) });

    railway.failNext({ path: /graphql/, status: 502, message: 'Bad Gateway', times: 3 });
    const err = (await provider()
      .deploy(aDeploy(), ctx())
      .catch((e: unknown) => e)) as ProviderError;
    const last = railway.requests.at(-1)!;
    expect(err.message).toBe(`railway: HTTP 502: Bad Gateway (request id ${last.requestId})`);
    expect(err.details).toMatchObject({ status: 502, requestId: last.requestId, retryable: true });

    const missing = (await provider()
      .status(randomUUID(), ctx())
      .catch((e: unknown) => e)) as ProviderError;
    expect(missing.message).toBe(`railway: read the deployment: Deployment not found (request id ${railway.requests.at(-1)!.requestId})`);
  });

  it('names the token setting when Railway refuses it, and the service settings for an unknown instance, before any deploy', async () => {
    const err = (await provider({}, 'wrong-token')
      .initialize(ctx())
      .catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(ProviderSettingsError);
    expect(err.message).toMatch(/^provider railway: settings\.tokenVariable holds a token Railway refuses: Not Authorized \(request id [0-9a-f-]{36}\)$/);
    await expect(provider({ serviceId: randomUUID() }).initialize(ctx())).rejects.toThrow('provider railway: settings.serviceId (with settings.environmentId) names no service instance this token can see: read the service: ServiceInstance not found');
    expect(railway.calls('serviceInstanceDeployV2')).toEqual([]);
    await provider().initialize(ctx());
    expect(log()).toContain(`Railway service shop (${ids.serviceId}), environment ${ids.environmentId}`);
  });
});

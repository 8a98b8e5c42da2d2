import { releasePids } from './support/sandbox-processes';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { type TestInfra, eventually, freePort, getWithHost, startTestInfra } from '@flightdeck/testing';
import { isAlive } from '../src/build/process-tree';
import { ReleaseFailedError, type ReleaseSpec } from '../src/provider/release-provider';
import {
  LogRecorder,
  type ProviderApp,
  crashes,
  neverListens,
  nodeApp,
  packArtifact,
  startProviderApp,
  staticSite,
} from './provider-fixtures';

jest.setTimeout(120_000);

const HEALTH_TIMEOUT_MS = 6_000;

describe('the internal provider and the edge router', () => {
  let infra: TestInfra;
  let dataDir: string;
  let work: string;
  let edgePort: number;
  let p: ProviderApp;
  const releasesDir = () => join(dataDir, 'releases');
  const start = () =>
    startProviderApp(infra, { FLIGHTDECK_DATA_DIR: dataDir, FLIGHTDECK_EDGE_PORT: String(edgePort) }, { healthTimeoutMs: HEALTH_TIMEOUT_MS });

  const aSpec = async (projectName: string, files: Record<string, string>, over: Partial<ReleaseSpec> = {}): Promise<ReleaseSpec> => ({
    deploymentId: randomUUID(),
    projectName,
    environmentName: 'production',
    artifactPath: await packArtifact(files, work),
    kind: 'node',
    startCommand: ['node', 'server.js'],
    env: { PATH: process.env.PATH!, GREETING: 'hello' },
    ...over,
  });
  const deploy = (spec: ReleaseSpec, log = new LogRecorder(), signal = new AbortController().signal) => p.provider.deploy(spec, log.log, signal);
  const get = (host: string, path = '/') => getWithHost(edgePort, `${host}:${edgePort}`, path);
  const id8 = (spec: { deploymentId: string }) => spec.deploymentId.slice(0, 8);
  const dirOf = (spec: ReleaseSpec) => join(releasesDir(), spec.projectName, spec.environmentName, spec.deploymentId);
  const sql = async <T>(text: string, params: unknown[] = []): Promise<T[]> => {
    const pg = new Client({ connectionString: infra.databaseUrls.builder });
    await pg.connect();
    try {
      return (await pg.query(text, params)).rows as T[];
    } finally {
      await pg.end();
    }
  };

  let v1: ReleaseSpec;
  let v2: ReleaseSpec;
  let site: ReleaseSpec;

  beforeAll(async () => {
    infra = await startTestInfra();
    dataDir = mkdtempSync(join(tmpdir(), 'fd-provider-data-'));
    work = mkdtempSync(join(tmpdir(), 'fd-provider-work-'));
    edgePort = await freePort();
    process.env.BUILDER_ONLY = 'a setting of the builder itself';
    p = await start();
  });

  afterAll(async () => {
    await p?.app.close();
    await infra?.stop();
    delete process.env.BUILDER_ONLY;
    for (const d of [dataDir, work]) if (d) rmSync(d, { recursive: true, force: true });
  });

  it('serves a static release at its environment host and at its preview host', async () => {
    site = await aSpec('site', staticSite('v1'), { kind: 'static', startCommand: undefined, env: {} });
    const urls = await deploy(site);

    expect(urls).toEqual({ url: `http://site-production.localhost:${edgePort}`, previewUrl: `http://site-${id8(site)}.localhost:${edgePort}` });
    expect(await get('site-production.localhost')).toMatchObject({ status: 200, body: '<h1>v1</h1>' });
    expect(await get(`site-${id8(site)}.localhost`)).toMatchObject({ status: 200, body: '<h1>v1</h1>' });
    expect(await get('SITE-production.localhost', '/about/')).toMatchObject({ status: 200, body: '<p>about v1</p>' });
    expect((await get('site-production.localhost', '/missing.html')).status).toBe(404);
    expect(existsSync(join(dirOf(site), 'app', 'index.html'))).toBe(true);
  });

  it('answers 404 naming the host it does not know', async () => {
    const r = await get('nobody-production.localhost');
    expect(r.status).toBe(404);
    expect(JSON.parse(r.body)).toEqual({ error: { code: 'http/not-found', message: `no deployment is served at nobody-production.localhost:${edgePort}` } });
    expect((await getWithHost(edgePort, '127.0.0.1')).status).toBe(404);
  });

  it('deploys v1 then v2 of a Node server: the environment serves v2, v1 stays reachable at its preview URL', async () => {
    v1 = await aSpec('shop-app', nodeApp('v1'), { startCommand: ['npm', 'run', 'start'] });
    const log1 = new LogRecorder();
    const urls1 = await deploy(v1, log1);
    expect(urls1.url).toBe(`http://shop-app-production.localhost:${edgePort}`);
    // the app got the deployment's env, PORT and HOST, and nothing of the builder's own
    expect(await get('shop-app-production.localhost', '/x')).toMatchObject({ status: 200, body: 'v1 hello /x builder-only:undefined' });
    expect(log1.text()).toMatch(/listening on \d+/);
    expect(log1.text()).toMatch(/Health check passed/);
    const v1Processes = releasePids(v1.deploymentId);
    expect(v1Processes.length).toBeGreaterThan(0);
    // the env file may hold secrets: readable by the builder only, and never served
    expect(statSync(join(dirOf(v1), 'env.json')).mode & 0o777).toBe(0o600);

    v2 = await aSpec('shop-app', nodeApp('v2'));
    const log2 = new LogRecorder();
    await deploy(v2, log2);

    expect(await get('shop-app-production.localhost')).toMatchObject({ status: 200, body: 'v2 hello / builder-only:undefined' });
    expect(log2.text()).toContain(`The previous release ${id8(v1)} drains`);
    // nothing is in flight on v1: it stops long before the drain time
    await eventually('v1 is stopped', () => v1Processes.filter(isAlive).length === 0);
    expect(existsSync(join(dirOf(v1), 'app', 'server.js'))).toBe(true);
    // v1's preview starts it again on its first request
    expect(await get(`shop-app-${id8(v1)}.localhost`)).toMatchObject({ status: 200, body: 'v1 hello / builder-only:undefined' });
    expect(await get(`shop-app-${id8(v2)}.localhost`)).toMatchObject({ status: 200, body: 'v2 hello / builder-only:undefined' });

    const routes = await sql('select project, environment, deployment_id, release_id from builder.environment_routes where project = $1', ['shop-app']);
    expect(routes).toEqual([{ project: 'shop-app', environment: 'production', deployment_id: v2.deploymentId, release_id: v2.deploymentId }]);
    const stored = await sql<{ kind: string; start_command: string[] }>('select kind, start_command from builder.releases where deployment_id = $1', [v1.deploymentId]);
    expect(stored).toEqual([{ kind: 'node', start_command: ['npm', 'run', 'start'] }]);
  });

  it('fails a release that never listens within the health timeout, and v2 keeps serving', async () => {
    const bad = await aSpec('shop-app', neverListens());
    const log = new LogRecorder();
    const began = Date.now();

    const failure = await deploy(bad, log).catch((e: unknown) => e);

    expect(failure).toBeInstanceOf(ReleaseFailedError);
    expect((failure as ReleaseFailedError).reason).toBe(`health check: no answer on / within ${HEALTH_TIMEOUT_MS / 1000}s`);
    expect(Date.now() - began).toBeLessThan(HEALTH_TIMEOUT_MS + 8_000);
    expect(log.text()).toContain('starting, but never listening');
    expect(await get('shop-app-production.localhost')).toMatchObject({ status: 200, body: 'v2 hello / builder-only:undefined' });
    expect((await get(`shop-app-${id8(bad)}.localhost`)).status).toBe(404);
    expect(releasePids(bad.deploymentId)).toEqual([]);
    expect(existsSync(dirOf(bad))).toBe(false);
  });

  it("health-checks the build settings' healthCheckPath instead of /", async () => {
    const server = `require('node:http').createServer((req, res) => { res.statusCode = req.url === '/healthz' ? 200 : 503; res.end(req.url); })
      .listen(Number(process.env.PORT), process.env.HOST);`;
    const failsAtRoot = await aSpec('health-app', nodeApp('h', server));
    expect(((await deploy(failsAtRoot).catch((e: unknown) => e)) as ReleaseFailedError).reason).toMatch(/^health check: GET \/ answered 503/);

    const checked = await aSpec('health-app', nodeApp('h', server), { healthCheckPath: '/healthz' });
    const log = new LogRecorder();
    await deploy(checked, log);
    expect(log.text()).toContain('Health check passed: GET /healthz answered on port');
    expect(await get('health-app-production.localhost', '/healthz')).toMatchObject({ status: 200, body: '/healthz' });
  });

  it('fails a release whose process exits, with its exit code', async () => {
    const bad = await aSpec('shop-app', crashes());
    const log = new LogRecorder();

    const failure = await deploy(bad, log).catch((e: unknown) => e);

    expect((failure as ReleaseFailedError).reason).toBe('process exited with code 1');
    expect(log.lines).toContainEqual({ message: 'boom: missing config', level: 'warn' });
    expect(await get('shop-app-production.localhost')).toMatchObject({ status: 200, body: 'v2 hello / builder-only:undefined' });
  });

  it('stops the new process tree when the deploy is canceled during its health check', async () => {
    const slow = await aSpec('shop-app', neverListens());
    const controller = new AbortController();
    const log = new LogRecorder();
    const deploying = deploy(slow, log, controller.signal).catch((e: unknown) => e);
    await eventually('the release to be started', () => log.text().includes('never listening'));
    expect(releasePids(slow.deploymentId).length).toBeGreaterThan(0);

    const began = Date.now();
    controller.abort();
    expect(await deploying).toBeInstanceOf(ReleaseFailedError);

    expect(Date.now() - began).toBeLessThan(5_500);
    expect(releasePids(slow.deploymentId)).toEqual([]);
    expect(await get('shop-app-production.localhost')).toMatchObject({ status: 200, body: 'v2 hello / builder-only:undefined' });
  });

  it('rolls back to v1 by switching the route: no unpack, no build', async () => {
    rmSync(v1.artifactPath); // the artifact is not needed: the release dir is
    const rollbackId = randomUUID();
    const log = new LogRecorder();

    const urls = await p.provider.rollback(
      { deploymentId: rollbackId, projectName: 'shop-app', environmentName: 'production', toDeploymentId: v1.deploymentId },
      log.log,
      new AbortController().signal,
    );

    expect(urls).toEqual({ url: `http://shop-app-production.localhost:${edgePort}`, previewUrl: `http://shop-app-${rollbackId.slice(0, 8)}.localhost:${edgePort}` });
    expect(log.text()).not.toMatch(/Unpacking/);
    expect(await get('shop-app-production.localhost')).toMatchObject({ status: 200, body: 'v1 hello / builder-only:undefined' });
    expect(await get(`shop-app-${rollbackId.slice(0, 8)}.localhost`)).toMatchObject({ status: 200, body: 'v1 hello / builder-only:undefined' });
    expect(await get(`shop-app-${id8(v2)}.localhost`)).toMatchObject({ status: 200, body: 'v2 hello / builder-only:undefined' });
  });

  it('refuses a rollback to a deployment it has no release of', async () => {
    const failure = await p.provider
      .rollback({ deploymentId: randomUUID(), projectName: 'shop-app', environmentName: 'production', toDeploymentId: randomUUID() }, new LogRecorder().log, new AbortController().signal)
      .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ReleaseFailedError);
    expect((failure as Error).message).toMatch(/has no release to roll back to/);
    expect(await get('shop-app-production.localhost')).toMatchObject({ status: 200, body: 'v1 hello / builder-only:undefined' });
  });

  it('keeps the last 5 releases of an environment on disk', async () => {
    const specs: ReleaseSpec[] = [];
    for (let i = 1; i <= 7; i++) {
      const s = await aSpec('many', staticSite(`many ${i}`), { kind: 'static', startCommand: undefined, env: {} });
      await deploy(s);
      specs.push(s);
    }

    expect(readdirSync(join(releasesDir(), 'many', 'production')).sort()).toEqual(specs.slice(2).map((s) => s.deploymentId).sort());
    expect((await get(`many-${id8(specs[0])}.localhost`)).status).toBe(404);
    expect(await get(`many-${id8(specs[2])}.localhost`)).toMatchObject({ status: 200, body: '<h1>many 3</h1>' });
    const gone = await p.provider
      .rollback({ deploymentId: randomUUID(), projectName: 'many', environmentName: 'production', toDeploymentId: specs[1].deploymentId }, new LogRecorder().log, new AbortController().signal)
      .catch((e: unknown) => e);
    expect(gone).toBeInstanceOf(ReleaseFailedError);

    // a rollback to the oldest kept release removes nothing; the next deploy counts from the newest
    await p.provider.rollback(
      { deploymentId: randomUUID(), projectName: 'many', environmentName: 'production', toDeploymentId: specs[2].deploymentId },
      new LogRecorder().log,
      new AbortController().signal,
    );
    expect(await get('many-production.localhost')).toMatchObject({ status: 200, body: '<h1>many 3</h1>' });
    expect(readdirSync(join(releasesDir(), 'many', 'production'))).toHaveLength(5);
    await deploy(await aSpec('many', staticSite('many 8'), { kind: 'static', startCommand: undefined, env: {} }));
    expect(await get('many-production.localhost')).toMatchObject({ status: 200, body: '<h1>many 8</h1>' });
    expect(readdirSync(join(releasesDir(), 'many', 'production'))).toHaveLength(5);
    expect(existsSync(join(releasesDir(), 'many', 'production', specs[2].deploymentId))).toBe(false);
  });

  it('starts the current release again on the next request once its process has died', async () => {
    const pids = releasePids(v1.deploymentId);
    expect(pids.length).toBeGreaterThan(0);
    // killing the sandbox's first process takes the rest with it (die-with-parent): one may be gone already
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e;
      }
    }
    await eventually('the killed release to be gone', () => !pids.some(isAlive), { timeoutMs: 5_000 });

    expect(await get('shop-app-production.localhost')).toMatchObject({ status: 200, body: 'v1 hello / builder-only:undefined' });
  });

  it('leaves no release process running after close, and brings the routes back on restart', async () => {
    const pids = p.processes.pids();
    expect(pids.length).toBeGreaterThan(0);

    await p.app.close();

    expect(pids.filter(isAlive)).toEqual([]);
    expect(releasePids('', { dataDir, edgePort })).toEqual([]);
    await expect(get('shop-app-production.localhost')).rejects.toThrow(/ECONNREFUSED/);

    p = await start();

    expect(await get('shop-app-production.localhost')).toMatchObject({ status: 200, body: 'v1 hello / builder-only:undefined' });
    expect(await get(`shop-app-${id8(v2)}.localhost`)).toMatchObject({ status: 200, body: 'v2 hello / builder-only:undefined' });
    expect(await get('site-production.localhost')).toMatchObject({ status: 200, body: '<h1>v1</h1>' });
    expect(await get(`site-${id8(site)}.localhost`)).toMatchObject({ status: 200, body: '<h1>v1</h1>' });
  });

  it('retires a deleted environment: its URL stops serving, its process stops, also after a restart; reinstating serves it again', async () => {
    const staging = await aSpec('shop-app', nodeApp('staging'), { environmentName: 'staging' });
    await deploy(staging);
    expect(await get('shop-app-staging.localhost')).toMatchObject({ status: 200, body: 'staging hello / builder-only:undefined' });
    const pids = releasePids(staging.deploymentId);
    expect(pids.length).toBeGreaterThan(0);

    await p.provider.retire({ projectName: 'shop-app', environmentName: 'staging' });

    expect((await get('shop-app-staging.localhost')).status).toBe(404);
    expect(pids.filter(isAlive)).toEqual([]);
    // the other environment of the project keeps serving; the retired release stays on disk
    expect((await get('shop-app-production.localhost')).status).toBe(200);
    expect(existsSync(join(dirOf(staging), 'app', 'server.js'))).toBe(true);

    await p.app.close();
    p = await start();
    expect((await get('shop-app-staging.localhost')).status).toBe(404);
    expect(releasePids(staging.deploymentId)).toEqual([]);

    await p.provider.reinstate({ projectName: 'shop-app', environmentName: 'staging' });
    expect(await get('shop-app-staging.localhost')).toMatchObject({ status: 200, body: 'staging hello / builder-only:undefined' });
    const routes = await sql('select retired_at from builder.environment_routes where project = $1 and environment = $2', ['shop-app', 'staging']);
    expect(routes).toEqual([{ retired_at: null }]);
  });

  it('serves a retired environment again once it is deployed to (a new environment with its name)', async () => {
    await p.provider.retire({ projectName: 'shop-app', environmentName: 'staging' });
    expect((await get('shop-app-staging.localhost')).status).toBe(404);
    await deploy(await aSpec('shop-app', nodeApp('staging-2'), { environmentName: 'staging' }));
    expect(await get('shop-app-staging.localhost')).toMatchObject({ status: 200, body: 'staging-2 hello / builder-only:undefined' });
  });
});

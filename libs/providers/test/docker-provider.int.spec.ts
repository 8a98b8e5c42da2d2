import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { type FakeDockerEngine, startFakeDockerEngine } from '@flightdeck/testing';
import * as tar from 'tar';
import { ProviderError, ProviderSettingsError } from '../src';
import { DockerProvider, DockerSettings, dockerProvider, engineEndpoint } from '../src/docker';
import type { DockerDeployRequest } from '../src/docker';

// The Docker provider against the fake Engine API (libs/testing): no Docker engine runs here.

const dirs: string[] = [];
function aSourceTree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'docker-src-'));
  dirs.push(dir);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

const NODE_APP = {
  'package.json': JSON.stringify({ scripts: { start: 'node server.js' }, dependencies: { express: '^4' } }),
  'package-lock.json': '{}',
  'server.js': 'require("http").createServer((q, s) => s.end("ok")).listen(process.env.PORT)',
  'node_modules/express/index.js': '',
  '.git/HEAD': 'ref: refs/heads/main',
};

const target = { projectName: 'shop', environmentName: 'production' };
const aDeployRequest = (over: Partial<DockerDeployRequest> = {}): DockerDeployRequest => ({
  ...target,
  deploymentId: randomUUID(),
  source: { type: 'artifact', path: '/unused.tar.gz', kind: 'node' },
  env: { GREETING: 'hello', API_KEY: 's3cret-value' },
  sourceDir: aSourceTree(NODE_APP),
  ...over,
});

describe('the Docker provider, against the fake Engine API', () => {
  let engine: FakeDockerEngine;
  let lines: { message: string; level?: string }[];
  const ctx = () => ({ log: (message: string, level?: string) => void lines.push({ message, level }), signal: new AbortController().signal });
  const provider = (over: Partial<DockerSettings> = {}, password?: string) =>
    new DockerProvider(DockerSettings.parse({ drainSeconds: 0, keepImages: 2, healthTimeoutSeconds: 2, ...over }), engineEndpoint({}, { DOCKER_HOST: engine.dockerHost }), password, {
      retry: { baseDelayMs: 5 },
      pollMs: 20,
    });

  beforeAll(async () => {
    engine = await startFakeDockerEngine();
  });
  beforeEach(() => {
    lines = [];
    engine.behaviour = () => ({});
  });
  afterAll(async () => {
    await engine.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('builds a generated Dockerfile, runs the container with the variables and limits, and answers its URL', async () => {
    const req = aDeployRequest();
    const result = await provider().deploy(req, ctx());

    const build = engine.builds.at(-1)!;
    expect(build.query).toMatchObject({ t: `flightdeck/shop-production:${req.deploymentId}`, dockerfile: 'Dockerfile.flightdeck' });
    expect(JSON.parse(build.query.labels)).toMatchObject({ 'dev.flightdeck.project': 'shop', 'dev.flightdeck.deployment': req.deploymentId, 'dev.flightdeck.port': '3000' });
    expect(build.context.list()).toEqual(['Dockerfile.flightdeck', 'package-lock.json', 'package.json', 'server.js']);
    expect(build.error).toBeUndefined();
    const image = engine.findImage(`flightdeck/shop-production:${req.deploymentId}`)!;
    expect(image.Config).toMatchObject({ User: 'node', Cmd: ['node', 'server.js'], Entrypoint: ['/usr/local/bin/tini', '-g', '--'] });
    expect(image.Config.Healthcheck?.Test[0]).toBe('CMD');

    const [create] = engine.requestsTo('POST', /^\/containers\/create$/);
    expect(create.query.name).toBe(`flightdeck-shop-production-${req.deploymentId.slice(0, 8)}`);
    expect(create.body).toMatchObject({
      Image: `flightdeck/shop-production:${req.deploymentId}`,
      Env: ['GREETING=hello', 'API_KEY=s3cret-value', 'PORT=3000'],
      ExposedPorts: { '3000/tcp': {} },
      HostConfig: { PortBindings: { '3000/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] }, Memory: 512 * 1024 * 1024, NanoCpus: 1e9, RestartPolicy: { Name: 'unless-stopped' } },
    });
    await expect(fetch(result.url).then((r) => r.text())).resolves.toContain('hello from flightdeck-shop-production');
    expect(lines.map((l) => l.message)).toEqual(expect.arrayContaining(['Step 1/24 : ARG NODE_IMAGE=node:20-bookworm-slim'.replace('24', String(build.dockerfile!.split('\n').filter((l) => /^[A-Z]/.test(l)).length))]));
    expect(lines.map((l) => l.message).join('\n')).not.toContain('s3cret-value');
  });

  it('switches to the new container only once healthy, removes the old one, keeps the last images, and rolls back without building', async () => {
    const p = provider();
    const first = aDeployRequest();
    const second = aDeployRequest();
    const third = aDeployRequest();
    for (const r of [first, second]) await p.deploy(r, ctx());
    const running = () => [...engine.containers.values()].filter((c) => c.spec.Labels?.['dev.flightdeck.environment'] === 'production' && c.running);
    expect(running().map((c) => c.spec.Labels?.['dev.flightdeck.deployment'])).toEqual([second.deploymentId]);

    await p.deploy(third, ctx());
    const kept = [...engine.images.values()].filter((i) => i.Labels['dev.flightdeck.environment'] === 'production').map((i) => i.Labels['dev.flightdeck.deployment']);
    expect(kept.sort()).toEqual([second.deploymentId, third.deploymentId].sort());

    const builds = engine.builds.length;
    const rollbackId = randomUUID();
    const back = await p.rollback({ ...target, deploymentId: rollbackId, toDeploymentId: second.deploymentId }, ctx());
    expect(engine.builds.length).toBe(builds);
    expect(back.providerDeploymentId).toBe(`flightdeck/shop-production:${second.deploymentId}`);
    expect(running().map((c) => [c.spec.Image, c.env('GREETING')])).toEqual([[`flightdeck/shop-production:${second.deploymentId}`, 'hello']]);
    await expect(fetch(back.url).then((r) => r.status)).resolves.toBe(200);

    await expect(p.rollback({ ...target, deploymentId: randomUUID(), toDeploymentId: first.deploymentId }, ctx())).rejects.toThrow(
      `docker: the image of deployment ${first.deploymentId} is no longer kept on the engine (the last 2 are)`,
    );
  });

  it('builds the generated Dockerfile on the base image the settings name (a mirror)', async () => {
    await provider({ nodeImage: 'mirror.example.com/library/node:22-bookworm-slim' }).deploy(aDeployRequest({ environmentName: 'mirror' }), ctx());
    const build = engine.builds.at(-1)!;
    expect(JSON.parse(build.query.buildargs)).toEqual({ NODE_IMAGE: 'mirror.example.com/library/node:22-bookworm-slim' });
    expect(build.stages?.map((st) => st.from)).toEqual(['mirror.example.com/library/node:22-bookworm-slim', 'mirror.example.com/library/node:22-bookworm-slim', 'mirror.example.com/library/node:22-bookworm-slim']);
  });

  it("builds the repository's own Dockerfile and runs it on the port it exposes", async () => {
    const sourceDir = aSourceTree({ Dockerfile: 'FROM python:3.12-slim\nCOPY app.py /app/\nEXPOSE 8000\nUSER 1000\nCMD ["python","/app/app.py"]\n', 'app.py': '', '.dockerignore': 'secrets/\n', 'secrets/key': 'x' });
    await provider().deploy(aDeployRequest({ sourceDir, environmentName: 'own' }), ctx());
    const build = engine.builds.at(-1)!;
    expect(build.query.dockerfile).toBe('Dockerfile');
    expect(build.context.list()).toEqual(['.dockerignore', 'Dockerfile', 'app.py']);
    expect(engine.requestsTo('POST', /^\/containers\/create$/).at(-1)!.body).toMatchObject({ Env: expect.arrayContaining(['PORT=8000']), ExposedPorts: { '8000/tcp': {} } });
  });

  it.each([
    ['a Next.js app with standalone output', { 'package.json': JSON.stringify({ scripts: { build: 'next build', start: 'next start' }, dependencies: { next: '15.0.0' } }), 'package-lock.json': '{}', 'next.config.js': 'module.exports = { output: "standalone" }', 'app/page.js': '' }, 'node', 'nextjs'],
    ['a static site built by Vite', { 'package.json': JSON.stringify({ scripts: { build: 'vite build' }, devDependencies: { vite: '5' } }), 'package-lock.json': '{}', 'index.html': '' }, 'static', 'vite'],
  ] as const)('generates a Dockerfile for %s that builds against its context and runs unprivileged', async (_n, files, kind, framework) => {
    const sourceDir = aSourceTree(files);
    const detection = { rootDirectory: '.', framework, frameworkName: null, frameworkVersion: null, packageManager: 'npm (package-lock.json)', installCommand: 'npm ci --no-audit --no-fund', buildCommand: 'npm run build', outputDirectory: kind === 'static' ? 'dist' : null, startCommand: kind === 'node' ? 'npm run start' : null, runKind: kind, why: [] };
    await provider().deploy(aDeployRequest({ sourceDir, environmentName: framework, source: { type: 'artifact', path: '/x', kind }, build: { detection } }), ctx());
    const build = engine.builds.at(-1)!;
    expect(build.error).toBeUndefined();
    expect(engine.findImage(build.tags[0])!.Config.User).toBe(kind === 'node' ? 'node' : '101');
    if (kind === 'node') expect(build.dockerfile).toContain('COPY --from=build /app/.next/standalone ./');
  });

  it("packs the build's artifact into an image when there is no source tree, the start script run directly", async () => {
    const dir = aSourceTree({});
    const artifact = join(dir, 'artifact.tar.gz');
    const app = aSourceTree({ 'package.json': JSON.stringify({ scripts: { start: 'node server.js' } }), 'server.js': '' });
    await tar.c({ gzip: true, cwd: app, file: artifact, portable: true }, ['.']);
    await provider().deploy(aDeployRequest({ environmentName: 'artifact', sourceDir: undefined, source: { type: 'artifact', path: artifact, kind: 'node', startCommand: ['npm', 'run', 'start'] }, env: { GREETING: 'hi', PATH: '/host/bin', COREPACK_HOME: '/host/cache' } }), ctx());
    const build = engine.builds.at(-1)!;
    expect(build.context.list()).toEqual(['Dockerfile.flightdeck', 'artifact.tar.gz']);
    expect(build.dockerfile).toContain('ADD artifact.tar.gz /app/');
    expect(engine.findImage(build.tags[0])!.Config).toMatchObject({ User: 'node', Cmd: ['node', 'server.js'] });
    // the builder's host paths stay out of the container
    expect(engine.requestsTo('POST', /^\/containers\/create$/).at(-1)!.body).toMatchObject({ Env: ['GREETING=hi', 'PORT=3000'] });
  });

  it("streams the running container's output as its logs, until it stops", async () => {
    const p = provider();
    const { providerDeploymentId } = await p.deploy(aDeployRequest({ environmentName: 'logs' }), ctx());
    const container = [...engine.containers.values()].find((c) => c.spec.Image === providerDeploymentId)!;
    const lines: string[] = [];
    const reading = (async () => {
      for await (const line of p.logs(providerDeploymentId!, ctx())) lines.push(line);
    })();
    container.print('stderr', 'GET / 200');
    await container.stop();
    await reading;
    expect(lines).toEqual(['listening on port 3000', 'GET / 200', 'received SIGTERM, shutting down']);
  });

  describe('when the engine or the app says no', () => {
    it('names DOCKER_HOST before anything reaches an engine', () => {
      const before = engine.requests.length;
      expect(() => dockerProvider.create({ settings: DockerSettings.parse({}), credentials: {}, host: { env: {}, dataDir: '/tmp', allowPrivateAddresses: true } })).toThrow(
        new ProviderSettingsError('docker', 'DOCKER_HOST', "is not set on the builder (nor settings.dockerHost): the Docker provider needs the engine's address, e.g. unix:///var/run/docker.sock"),
      );
      expect(engine.requests.length).toBe(before);
    });

    it("refuses to lead the edge to a private address of an engine the environment names, unless the builder allows private addresses", async () => {
      const named = (allowPrivateAddresses: boolean) =>
        dockerProvider.create({
          settings: DockerSettings.parse({ dockerHost: engine.dockerHost, drainSeconds: 0, healthTimeoutSeconds: 2 }),
          credentials: {},
          host: { env: {}, dataDir: '/tmp', allowPrivateAddresses },
        });
      const switched: string[] = [];
      const edgeCtx = () => ({ ...ctx(), switchEdge: async (upstream: string) => void switched.push(upstream) });
      const created = () => engine.requestsTo('POST', /^\/containers\/create$/).length;
      const before = created();
      await expect(named(false).deploy(aDeployRequest(), edgeCtx())).rejects.toThrow(/settings\.dockerHost leads the edge to a private address.*FLIGHTDECK_PROVIDERS_ALLOW_PRIVATE/);
      expect(created()).toBe(before);
      expect(switched).toEqual([]);
      const allowed = await named(true).deploy(aDeployRequest(), edgeCtx());
      expect(switched).toEqual([allowed.upstream]);
    });

    it('reaches an engine over tcp://, and reports one that does not answer after retrying, naming its address', async () => {
      const overTcp = await startFakeDockerEngine({ tcp: true });
      try {
        const p = new DockerProvider(DockerSettings.parse({}), engineEndpoint({}, { DOCKER_HOST: overTcp.dockerHost }));
        await p.initialize(ctx());
        expect(lines.at(-1)?.message).toBe(`Docker engine 27.5.1 (API 1.47) at ${overTcp.dockerHost}`);
      } finally {
        await overTcp.stop();
      }
      const gone = new DockerProvider(DockerSettings.parse({}), engineEndpoint({}, { DOCKER_HOST: 'unix:///nonexistent/docker.sock' }), undefined, { retry: { baseDelayMs: 5 } });
      await expect(gone.initialize(ctx())).rejects.toMatchObject({ providerMessage: 'reach the Docker engine: cannot reach the Docker engine at unix:///nonexistent/docker.sock (ENOENT)', retryable: true });
      expect(lines.filter((l) => l.level === 'warn').map((l) => l.message.replace(/ in [\d.]+s$/, ''))).toEqual([
        'reach the Docker engine: cannot reach the Docker engine at unix:///nonexistent/docker.sock (ENOENT); attempt 2',
        'reach the Docker engine: cannot reach the Docker engine at unix:///nonexistent/docker.sock (ENOENT); attempt 3',
      ]);
    });

    it('retries a build the engine answered 500, then reports the engine message as a provider error', async () => {
      engine.failNext({ method: 'POST', path: /^\/build$/ }, 500, 'io: read/write on closed pipe', 1);
      await provider().deploy(aDeployRequest({ environmentName: 'retry' }), ctx());
      expect(lines.some((l) => l.level === 'warn' && l.message.includes('HTTP 500: io: read/write on closed pipe; attempt 2'))).toBe(true);

      engine.failNext({ method: 'POST', path: /^\/build$/ }, 500, 'no space left on device', 3);
      const failed = provider().deploy(aDeployRequest({ environmentName: 'retry' }), ctx());
      await expect(failed).rejects.toBeInstanceOf(ProviderError);
      await expect(failed).rejects.toMatchObject({ providerMessage: 'build the image: HTTP 500: no space left on device', details: { status: 500, retryable: true } });
    });

    it('fails a build whose step failed with its errorDetail, creating no container', async () => {
      engine.failNextBuild("The command '/bin/sh -c npm run build' returned a non-zero code: 1");
      const creates = engine.requestsTo('POST', /^\/containers\/create$/).length;
      await expect(provider().deploy(aDeployRequest(), ctx())).rejects.toMatchObject({
        providerMessage: "the image build failed: The command '/bin/sh -c npm run build' returned a non-zero code: 1",
        retryable: false,
      });
      expect(engine.requestsTo('POST', /^\/containers\/create$/).length).toBe(creates);
    });

    it.each([
      ['exits at start', { exitCode: 1, logs: [{ stream: 'stderr' as const, line: 'Error: Cannot find module /app/server.js' }] }, 'the container exited with code 1 before it became healthy'],
      ['stays unhealthy', { health: 'unhealthy' as const }, "the container's HEALTHCHECK reports it unhealthy"],
    ])('keeps the previous container serving when the new one %s', async (_n, behaviour, message) => {
      const p = provider();
      const good = aDeployRequest({ environmentName: 'fragile' });
      await p.deploy(good, ctx());
      engine.behaviour = () => behaviour;
      lines = [];
      await expect(p.deploy(aDeployRequest({ environmentName: 'fragile' }), ctx())).rejects.toMatchObject({ providerMessage: message });
      const left = [...engine.containers.values()].filter((c) => c.spec.Labels?.['dev.flightdeck.environment'] === 'fragile');
      expect(left.map((c) => [c.spec.Labels?.['dev.flightdeck.deployment'], c.running])).toEqual([[good.deploymentId, true]]);
      if ('logs' in behaviour) expect(lines).toContainEqual({ message: 'container: Error: Cannot find module /app/server.js', level: 'warn' });
    });

    it('times out a container that answers 5xx, naming what it answered', async () => {
      engine.behaviour = () => ({ respond: () => ({ status: 503, body: 'warming up' }) });
      await expect(provider({ healthTimeoutSeconds: 1 }).deploy(aDeployRequest({ environmentName: 'slow' }), ctx())).rejects.toMatchObject({
        providerMessage: 'the container did not become healthy within 1s (GET / answered 503)',
      });
      expect([...engine.containers.values()].filter((c) => c.spec.Labels?.['dev.flightdeck.environment'] === 'slow')).toEqual([]);
    });

    it('pushes with the registry credentials, and reports a refused push', async () => {
      engine.registry = { username: 'ci', password: 'token-1' };
      await provider({ registry: 'registry.example.com/team', registryUsername: 'ci' }, 'token-1').deploy(aDeployRequest({ environmentName: 'pushed' }), ctx());
      expect(engine.pushes.at(-1)).toEqual({ ref: expect.stringMatching(/^registry\.example\.com\/team\/flightdeck\/shop-pushed:/), auth: { username: 'ci', password: 'token-1', serveraddress: 'registry.example.com' } });

      await expect(provider({ registry: 'registry.example.com/team', registryUsername: 'ci' }, 'wrong').deploy(aDeployRequest({ environmentName: 'pushed' }), ctx())).rejects.toMatchObject({
        providerMessage: 'the push failed: unauthorized: authentication required',
      });
      engine.registry = undefined;
    });
  });

  it("hands the container the deployment's variables but not the registry password its settings name as a credential", async () => {
    engine.registry = { username: 'ci', password: 'token-1' };
    const settings = { registry: 'registry.example.com/team', registryUsername: 'ci', registryPasswordVariable: 'REGISTRY_TOKEN' };
    const req = aDeployRequest({ environmentName: 'credentials', env: { GREETING: 'hello', API_KEY: 's3cret-value', REGISTRY_TOKEN: 'token-1' } });
    await provider(settings, 'token-1').deploy(req, ctx());
    engine.registry = undefined;

    expect(engine.pushes.at(-1)!.auth).toMatchObject({ password: 'token-1' });
    const created = engine.requestsTo('POST', /^\/containers\/create$/).at(-1)!.body as { Env: string[] };
    expect(created.Env).toEqual(['GREETING=hello', 'API_KEY=s3cret-value', 'PORT=3000']);
    const running = [...engine.containers.values()].find((c) => c.spec.Labels?.['dev.flightdeck.deployment'] === req.deploymentId)!;
    expect(running.env('REGISTRY_TOKEN')).toBeUndefined();
  });
});

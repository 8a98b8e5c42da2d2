import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { type FakeDockerEngine, aDeployJob, getWithHost, queryRows, startFakeDockerEngine } from '@flightdeck/testing';
import { ProviderModule } from '../src/provider/provider.module';
import { BuilderHarness } from './support/builder-harness';
import { GitRepo, npmProject } from './support/git-repo';

jest.setTimeout(180_000);

const HEALTH_TIMEOUT_MS = 8_000;

const server = (version: string) =>
  npmProject(
    { scripts: { build: `node -e "console.log('building ${version}')"`, start: 'node server.js' } },
    { 'server.js': `require('node:http').createServer((q, s) => s.end('${version}')).listen(Number(process.env.PORT), process.env.HOST);` },
  );

// The builder as the service wires it, with the internal provider in place of the stand-in:
// a job goes from a git repository to an app served through the edge router.
describe('the builder with the internal provider', () => {
  let h: BuilderHarness;
  let edgePort: number;
  const get = (label: string) => getWithHost(edgePort, `${label}.localhost:${edgePort}`);

  beforeAll(async () => {
    ({ h, edgePort } = await BuilderHarness.withInternalProvider({ healthTimeoutMs: HEALTH_TIMEOUT_MS }));
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('deploys, redeploys and rolls back a Node server behind the edge', async () => {
    const repo = GitRepo.create(server('v1'), 'v1');
    const first = await h.dispatch(aDeployJob({ projectName: 'web', repositoryUrl: repo.dir }));
    const r1 = await h.result(first.deploymentId, 120_000);
    expect(r1).toMatchObject({ outcome: 'succeeded', url: `http://web-production.localhost:${edgePort}` });
    expect(await get('web-production')).toMatchObject({ status: 200, body: 'v1' });

    repo.write(server('v2')).commit('v2');
    const second = await h.dispatch(aDeployJob({ projectName: 'web', repositoryUrl: repo.dir }));
    expect(await h.result(second.deploymentId, 120_000)).toMatchObject({ outcome: 'succeeded' });
    expect(await get('web-production')).toMatchObject({ status: 200, body: 'v2' });
    expect(await get(`web-${first.deploymentId.slice(0, 8)}`)).toMatchObject({ status: 200, body: 'v1' });

    const rollback = await h.dispatch(
      aDeployJob({ kind: 'rollback', projectName: 'web', repositoryUrl: repo.dir, target: { deploymentId: first.deploymentId, artifact: r1.artifact! } }),
    );
    const rr = await h.result(rollback.deploymentId, 60_000);
    expect(rr).toMatchObject({ outcome: 'succeeded', previewUrl: `http://web-${rollback.deploymentId.slice(0, 8)}.localhost:${edgePort}` });
    expect(await get('web-production')).toMatchObject({ status: 200, body: 'v1' });
    const lines = await h.logLines(rollback.deploymentId, rr.lastSeq);
    expect(lines.map((l) => l.step)).not.toContain('build');
    expect(lines.some((l) => l.source === 'deploy' && /no unpack, no build/.test(l.message))).toBe(true);
  });

  it('fails with deployment/deploy-failed when the app never listens, and the last release keeps serving', async () => {
    const repo = GitRepo.create(npmProject({ scripts: { start: 'node -e "setInterval(() => {}, 1000)"' } }), 'silent');
    const job = await h.dispatch(aDeployJob({ projectName: 'web', repositoryUrl: repo.dir, }));
    const r = await h.result(job.deploymentId, 120_000);
    expect(r.outcome).toBe('failed');
    expect(r.failure).toMatchObject({ code: 'deployment/deploy-failed', step: 'deploy' });
    expect(r.failure!.message).toMatch(/health check: no answer on \/ within 8s/);
    expect(await get('web-production')).toMatchObject({ status: 200, body: 'v1' });
  });
});

// The Docker provider (against the fake Engine API, whose containers answer HTTP on their published
// ports) behind the builder's edge: the environment's label is switched to each new container once it
// is healthy, back to the earlier one on a rollback, and that label is the deployment's URL.
describe('the builder with the Docker provider', () => {
  let h: BuilderHarness;
  let edgePort: number;
  let app: INestApplication;
  let engine: FakeDockerEngine;
  const environmentId = randomUUID();
  const projectId = randomUUID();
  const get = (label: string) => getWithHost(edgePort, `${label}.localhost:${edgePort}`);
  const containerOf = (deploymentId: string) => `flightdeck-dock-production-${deploymentId.slice(0, 8)}`;

  beforeAll(async () => {
    engine = await startFakeDockerEngine();
    // the engine is the environment's own (settings.dockerHost) on this machine's loopback: private addresses allowed
    ({ h, edgePort, app } = await BuilderHarness.withInternalProvider({ healthTimeoutMs: HEALTH_TIMEOUT_MS }, { FLIGHTDECK_PROVIDERS_ALLOW_PRIVATE: 'true' }));
    h.providers.set(environmentId, { name: 'docker', settings: { dockerHost: engine.dockerHost, drainSeconds: 0, healthTimeoutSeconds: 30 } });
  });
  afterAll(async () => {
    await h?.stop();
    await engine?.stop();
  });

  it("routes the environment's label to the new container once healthy, and back on a rollback", async () => {
    const repo = GitRepo.create(server('v1'), 'v1');
    const job = (over: Parameters<typeof aDeployJob>[0] = {}) => aDeployJob({ projectId, environmentId, projectName: 'dock', repositoryUrl: repo.dir, ...over });
    const first = await h.dispatch(job());
    const r1 = await h.result(first.deploymentId, 120_000);
    // the environment's edge URL; the container's own address is the deployment's preview
    expect(r1).toMatchObject({ outcome: 'succeeded', url: `http://dock-production.localhost:${edgePort}`, previewUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/) });
    expect(await get('dock-production')).toMatchObject({ status: 200, body: expect.stringContaining(containerOf(first.deploymentId)) });

    repo.write(server('v2')).commit('v2');
    const second = await h.dispatch(job());
    const r2 = await h.result(second.deploymentId, 120_000);
    expect(r2).toMatchObject({ outcome: 'succeeded', url: `http://dock-production.localhost:${edgePort}` });
    expect(await get('dock-production')).toMatchObject({ status: 200, body: expect.stringContaining(containerOf(second.deploymentId)) });
    // the first container stopped only once the label led to the second
    expect([...engine.containers.values()].filter((c) => c.running).map((c) => c.name)).toEqual([containerOf(second.deploymentId)]);
    const messages = (await h.logLines(second.deploymentId, r2.lastSeq)).map((l) => l.message);
    const switched = messages.findIndex((m) => m.startsWith(`Switched http://dock-production.localhost:${edgePort} to http://127.0.0.1:`));
    const stopped = messages.findIndex((m) => m.startsWith(`previous container ${containerOf(first.deploymentId)} stopped`));
    expect(switched).toBeGreaterThan(-1);
    expect(stopped).toBeGreaterThan(switched);

    const rollback = await h.dispatch(job({ kind: 'rollback', target: { deploymentId: first.deploymentId, artifact: r1.artifact! } }));
    expect(await h.result(rollback.deploymentId, 60_000)).toMatchObject({ outcome: 'succeeded', url: `http://dock-production.localhost:${edgePort}` });
    expect(await get('dock-production')).toMatchObject({ status: 200, body: expect.stringContaining(containerOf(rollback.deploymentId)) });
    // the rollback runs the first deployment's image again, without building
    expect(engine.builds).toHaveLength(2);
    const running = [...engine.containers.values()].filter((c) => c.running);
    expect(running.map((c) => c.spec.Image)).toEqual([engine.builds[0].tags[0]]);

    // the route is this builder's, its upstream in Postgres (what a restart restores)
    const [route] = await queryRows<{ owner: string | null; upstream: string | null; deployment_id: string }>(
      h.infra.databaseUrls.builder,
      `select owner, upstream, deployment_id from builder.environment_routes where project = 'dock' and environment = 'production'`,
    );
    const hostPort = Object.values(running[0].ports)[0]?.[0]?.HostPort;
    expect(route).toMatchObject({ deployment_id: rollback.deploymentId, upstream: `http://127.0.0.1:${hostPort}`, owner: expect.any(String) });

    // a restarted builder routes the label to the same container
    await h.stopBuilder(app);
    app = await h.startBuilder({ FLIGHTDECK_EDGE_PORT: String(edgePort) }, ProviderModule.forRoot({ healthTimeoutMs: HEALTH_TIMEOUT_MS }));
    expect(await get('dock-production')).toMatchObject({ status: 200, body: expect.stringContaining(containerOf(rollback.deploymentId)) });
  });
});

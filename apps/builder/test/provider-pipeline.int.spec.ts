import { aDeployJob, getWithHost } from '@flightdeck/testing';
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

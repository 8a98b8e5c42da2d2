import { aDeployJob, getWithHost } from '@flightdeck/testing';
import { BuilderHarness } from './support/builder-harness';
import { GitRepo, npmProject } from './support/git-repo';

jest.setTimeout(180_000);

const site = (version: string) =>
  npmProject(
    { scripts: { start: 'node server.js' } },
    { 'server.js': `require('node:http').createServer((q, s) => s.end('${version}')).listen(Number(process.env.PORT), process.env.HOST);` },
  );

// Two deployments of one branch that finish out of order: commit A (older) after commit B (newer).
describe('the ordering guard', () => {
  let h: BuilderHarness;
  let edgePort: number;
  const served = async () => (await getWithHost(edgePort, `order-production.localhost:${edgePort}`)).body;

  beforeAll(async () => {
    ({ h, edgePort } = await BuilderHarness.withInternalProvider({ healthTimeoutMs: 8_000 }));
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('keeps serving the newer commit when an older one finishes last, unless forced', async () => {
    const repo = GitRepo.create(site('A'), 'A');
    const a = repo.git('rev-parse', 'HEAD').trim();
    repo.write(site('B')).commit('B');

    const newer = await h.dispatch(aDeployJob({ projectName: 'order', repositoryUrl: repo.dir, sourceRef: 'main' }));
    expect(await h.result(newer.deploymentId, 120_000)).toMatchObject({ outcome: 'succeeded' });
    expect(await served()).toBe('B');

    const older = await h.dispatch(aDeployJob({ projectName: 'order', repositoryUrl: repo.dir, sourceRef: a }));
    const r = await h.result(older.deploymentId, 120_000);
    expect(r).toMatchObject({ outcome: 'canceled', failure: { code: 'deployment/canceled', step: 'deploy' } });
    expect(r.failure!.message).toMatch(new RegExp(`commit ${a.slice(0, 12)} is older than .*superseded`));
    expect(await served()).toBe('B');

    // the same commit again, and an explicit force, do take the route
    const forced = await h.dispatch(aDeployJob({ projectName: 'order', repositoryUrl: repo.dir, sourceRef: a, force: true }));
    expect(await h.result(forced.deploymentId, 120_000)).toMatchObject({ outcome: 'succeeded' });
    expect(await served()).toBe('A');
    const again = await h.dispatch(aDeployJob({ projectName: 'order', repositoryUrl: repo.dir, sourceRef: a }));
    expect(await h.result(again.deploymentId, 120_000)).toMatchObject({ outcome: 'succeeded' });
  });
});

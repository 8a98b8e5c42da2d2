import type { ResolvedVariable } from '@flightdeck/contracts';
import { aDeployJob } from '@flightdeck/testing';
import { BuilderHarness } from './support/builder-harness';
import { GitRepo, npmProject } from './support/git-repo';

jest.setTimeout(120_000);

const SEES = `for (const k of ['BUILD_ONLY', 'RUNTIME_ONLY', 'EVERYWHERE', 'UNTARGETED']) console.log(k + (k in process.env ? ' present' : ' absent'));`;

// Issue 15 item 2: a variable's target decides where its value reaches. A real build on real
// Postgres and NATS: install and build see `build` and `both`, the release `runtime` and `both`.
describe('variable targets', () => {
  let h: BuilderHarness;
  beforeAll(async () => {
    h = await BuilderHarness.start();
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('gives build-only variables to install and build, never to the running app, and runtime-only ones the other way round', async () => {
    const repo = GitRepo.create(
      npmProject(
        { scripts: { postinstall: 'node sees.js', build: 'node sees.js', start: 'node server.js' } },
        { 'sees.js': SEES, 'server.js': 'require("http").createServer((q, s) => s.end("ok")).listen(process.env.PORT)' },
      ),
    );
    const job = aDeployJob({ repositoryUrl: repo.dir });
    const variables: ResolvedVariable[] = [
      { key: 'BUILD_ONLY', value: 'npm-token-value', sensitive: true, target: 'build', level: 'project' },
      { key: 'RUNTIME_ONLY', value: 'postgres://db/app', sensitive: true, target: 'runtime', level: 'environment' },
      { key: 'EVERYWHERE', value: 'shared', sensitive: false, target: 'both', level: 'project' },
      // as an environment-manager older than targets answers: both
      { key: 'UNTARGETED', value: 'old-style', sensitive: false },
    ];
    h.variables.set(job.environmentId, variables);
    await h.dispatch(job);

    const result = await h.result(job.deploymentId);
    expect(result).toMatchObject({ outcome: 'succeeded' });
    const lines = (await h.logBatches(job.deploymentId, result.lastSeq)).flatMap((b) => b.lines);
    for (const step of ['install', 'build'] as const) {
      const seen = lines.filter((l) => l.step === step && / (present|absent)$/.test(l.message)).map((l) => l.message);
      expect([step, seen]).toEqual([step, ['BUILD_ONLY present', 'RUNTIME_ONLY absent', 'EVERYWHERE present', 'UNTARGETED present']]);
    }
    const spec = h.provider.deployed.find((s) => s.deploymentId === job.deploymentId)!;
    expect(spec.env).toMatchObject({ RUNTIME_ONLY: 'postgres://db/app', EVERYWHERE: 'shared', UNTARGETED: 'old-style' });
    expect(spec.env).not.toHaveProperty('BUILD_ONLY');
    repo.remove();
  });
});

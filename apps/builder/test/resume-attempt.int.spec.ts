import { aDeployJob, eventually } from '@flightdeck/testing';
import { BuilderHarness } from './support/builder-harness';
import { GitRepo, npmProject } from './support/git-repo';

jest.setTimeout(180_000);

// A builder shut down while it releases a deployment it has already built: the next attempt, on a
// builder of the same host (a restarted one), releases the artifact the first attempt packed
// instead of installing and building again.
describe('a next attempt of a deployment whose build had finished', () => {
  let h: BuilderHarness;
  let repo: GitRepo;

  beforeAll(async () => {
    h = await BuilderHarness.start();
    repo = GitRepo.create(npmProject({ scripts: { build: `node -e "console.log('compiling the app')"` } }, { 'public/index.html': '<h1>resumed</h1>' }));
  });
  afterAll(async () => {
    repo?.remove();
    await h?.stop();
  });

  it('releases the stored artifact of the same commit with no install and no build, its log continuing', async () => {
    const job = aDeployJob({ repositoryUrl: repo.dir });
    // the first attempt's release hangs until its builder stops
    h.provider.onDeploy = (_spec, _log, signal) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('stopped'))));
    await h.dispatch(job);
    await eventually('attempt 1 to reach its release', async () => h.provider.deployed.length === 1, { timeoutMs: 120_000 });
    await h.stopBuilder(h.app);
    const first = await h.result(job.deploymentId);
    expect(first).toMatchObject({ attempt: 1, outcome: 'failed', failure: { code: 'build/interrupted', step: 'deploy' } });

    h.provider.onDeploy = undefined;
    await h.startBuilder();
    await h.dispatch({ ...job, attempt: 2, firstSeq: first.lastSeq + 1 });
    const second = await eventually('the result of attempt 2', async () => (await h.results(job.deploymentId, 200)).find((r) => r.attempt === 2), {
      timeoutMs: 120_000,
    });
    expect(second).toMatchObject({ outcome: 'succeeded', artifact: { id: job.deploymentId, kind: 'static' } });

    const lines = await h.logLines(job.deploymentId, second.lastSeq);
    const attempt2 = lines.filter((l) => l.seq > first.lastSeq);
    expect(attempt2[0].seq).toBe(first.lastSeq + 1);
    expect(attempt2.map((l) => l.message).join('\n')).toMatch(/Attempt 2 reuses the artifact an earlier attempt built of [0-9a-f]{12} \(\d+ bytes, sha256 [0-9a-f]{64}\): no install, no build/);
    // attempt 1 installed and built; attempt 2 did neither
    expect(lines.some((l) => l.seq <= first.lastSeq && l.message.includes('compiling the app'))).toBe(true);
    expect(attempt2.filter((l) => l.step === 'install' || l.step === 'build')).toEqual([]);
    expect(h.provider.deployed).toHaveLength(2);
    expect(h.provider.deployed[1].artifactPath).toBe(h.provider.deployed[0].artifactPath);
  });
});

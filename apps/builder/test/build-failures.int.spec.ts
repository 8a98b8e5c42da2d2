import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { aDeployJob, eventually } from '@flightdeck/testing';
import { ReleaseFailedError } from '../src/provider/release-provider';
import { BuilderHarness } from './support/builder-harness';
import { GitRepo, npmProject, staticSite } from './support/git-repo';

jest.setTimeout(120_000);

describe('builds that fail', () => {
  let h: BuilderHarness;
  let site: GitRepo;
  beforeAll(async () => {
    h = await BuilderHarness.start();
    site = GitRepo.create(staticSite());
  });
  afterAll(async () => {
    site?.remove();
    await h?.stop();
  });

  it('fails fast with deployment/invalid-source-ref on a ref the repository does not have', async () => {
    const job = await h.dispatch(aDeployJob({ repositoryUrl: site.dir, sourceRef: 'no-such-branch' }));

    const result = await h.result(job.deploymentId);

    // fast means: it stopped at the clone, before any install or build (a wall-clock bound was
    // flaky on a loaded machine; speed belongs to the benchmarks)
    const steps = new Set((await h.logLines(job.deploymentId, result.lastSeq)).map((l) => l.step));
    expect([...steps].filter((s) => s === 'install' || s === 'build' || s === 'deploy')).toEqual([]);
    expect(result).toMatchObject({
      outcome: 'failed',
      failure: { code: 'deployment/invalid-source-ref', step: 'clone', message: expect.stringContaining('no-such-branch') },
    });
    expect(h.provider.deployed.some((s) => s.deploymentId === job.deploymentId)).toBe(false);
  });

  it("refuses to clone another project's checkout from the builder's own data, leaving nothing of it in the build", async () => {
    // a build that is still running keeps its checkout in work/<deploymentId>/app
    const slow = GitRepo.create(npmProject({ scripts: { build: 'node -e "setTimeout(() => {}, 60000)"' } }));
    const victim = await h.dispatch(aDeployJob({ projectName: 'victim', repositoryUrl: slow.dir }));
    const checkout = join(h.dataDir, 'work', victim.deploymentId, 'app');
    await eventually('the victim build to have its checkout', () => existsSync(join(checkout, '.git')), { timeoutMs: 60_000 });
    const job = await h.dispatch(aDeployJob({ projectName: 'thief', repositoryUrl: checkout }));
    const result = await h.result(job.deploymentId);
    expect(result).toMatchObject({
      outcome: 'failed',
      failure: { code: 'deployment/source-unavailable', step: 'clone', message: expect.stringContaining("inside the builder's own data") },
    });
    expect(existsSync(join(h.dataDir, 'work', job.deploymentId, 'app', '.git'))).toBe(false);
    h.cancel(victim.deploymentId);
    await h.result(victim.deploymentId);
    slow.remove();
  });

  it.each(['--upload-pack=touch /tmp/pwned', 'main..other', 'a b'])('refuses %j as a ref without running git with it', async (ref) => {
    const job = await h.dispatch(aDeployJob({ repositoryUrl: site.dir, sourceRef: ref }));
    const result = await h.result(job.deploymentId);
    expect(result.failure).toMatchObject({ code: 'deployment/invalid-source-ref', step: 'clone' });
    expect(existsSync('/tmp/pwned')).toBe(false);
  });

  it.each([
    ['a path that is not a repository', '/nonexistent/repo'],
    ['an unsupported scheme', 'ssh://git@example.com/team/app.git'],
  ])('fails with deployment/source-unavailable for %s', async (_what, repositoryUrl) => {
    const job = await h.dispatch(aDeployJob({ repositoryUrl }));
    const result = await h.result(job.deploymentId);
    expect(result).toMatchObject({ outcome: 'failed', failure: { code: 'deployment/source-unavailable', step: 'clone' } });
  });

  it('fails with deployment/build-failed naming the step, the exit code and the last lines', async () => {
    const repo = GitRepo.create(
      npmProject({
        scripts: {
          build: `node -e "for (let i = 1; i <= 30; i++) console.log('compiling module ' + i); console.error('Error: cannot find module ./missing'); process.exit(3)"`,
          start: 'node server.js',
        },
      }),
    );
    const job = await h.dispatch(aDeployJob({ repositoryUrl: repo.dir }));

    const result = await h.result(job.deploymentId);

    expect(result).toMatchObject({
      outcome: 'failed',
      commit: { sha: repo.head() },
      failure: { code: 'deployment/build-failed', step: 'build', exitCode: 3, message: expect.stringContaining('exited with code 3') },
    });
    const lastLines = result.failure!.lastLines!;
    expect(lastLines.length).toBeLessThanOrEqual(20);
    expect(lastLines).toContain('Error: cannot find module ./missing');
    expect(lastLines).toContain('compiling module 30');
    expect(lastLines).not.toContain('compiling module 1');
    const lines = await h.logLines(job.deploymentId, result.lastSeq);
    expect(lines).toContainEqual(expect.objectContaining({ step: 'build', level: 'error', message: 'Error: cannot find module ./missing' }));
    expect(lines[lines.length - 1]).toMatchObject({ seq: result.lastSeq, source: 'system', level: 'error' });
    expect(h.provider.deployed.some((s) => s.deploymentId === job.deploymentId)).toBe(false);
    await eventually('work dir removed', () => !existsSync(join(h.dataDir, 'work', job.deploymentId)) || undefined);
    repo.remove();
  });

  it('fails the install step when npm ci fails', async () => {
    const repo = GitRepo.create(npmProject({ scripts: { preinstall: 'exit 7', start: 'node x.js' } }));
    const job = await h.dispatch(aDeployJob({ repositoryUrl: repo.dir }));
    const result = await h.result(job.deploymentId);
    expect(result.failure).toMatchObject({ code: 'deployment/build-failed', step: 'install', exitCode: 7 });
    repo.remove();
  });

  it('fails the package step when there is nothing to serve', async () => {
    const repo = GitRepo.create(npmProject({ scripts: { build: 'node -e "1"' } }));
    const job = await h.dispatch(aDeployJob({ repositoryUrl: repo.dir }));
    const result = await h.result(job.deploymentId);
    expect(result.failure).toMatchObject({ code: 'deployment/build-failed', step: 'package', message: expect.stringContaining('no "start" script') });
    repo.remove();
  });

  it('fails with deployment/deploy-failed and the reason when the release never becomes healthy', async () => {
    h.provider.onDeploy = async (_spec, log) => {
      log('GET / did not answer within 60 s', 'error');
      throw new ReleaseFailedError('health check failed', 'GET / did not answer within 60 s');
    };
    const job = await h.dispatch(aDeployJob({ repositoryUrl: site.dir }));

    const result = await h.result(job.deploymentId);
    h.provider.onDeploy = undefined;

    expect(result.artifact).toBeUndefined();
    expect(result).toMatchObject({
      outcome: 'failed',
      failure: {
        code: 'deployment/deploy-failed',
        step: 'deploy',
        message: 'health check failed: GET / did not answer within 60 s',
        lastLines: expect.arrayContaining(['GET / did not answer within 60 s']),
      },
    });
  });
});

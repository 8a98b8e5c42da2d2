import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { list } from 'tar';
import { aDeployJob, eventually } from '@flightdeck/testing';
import { BuilderHarness } from './support/builder-harness';
import { GitRepo, npmProject, staticSite } from './support/git-repo';

jest.setTimeout(120_000);

const entries = async (file: string) => {
  const names: string[] = [];
  await list({ file, onReadEntry: (e) => names.push(e.path) });
  return names;
};

describe('building a static site', () => {
  let h: BuilderHarness;
  beforeAll(async () => (h = await BuilderHarness.start()));
  afterAll(async () => h?.stop());

  it('clones, packs plain HTML into an artifact, releases it and logs every line with seq 1..N', async () => {
    const repo = GitRepo.create(staticSite('v1'), 'first page');
    const job = await h.dispatch(aDeployJob({ repositoryUrl: repo.dir, sourceRef: 'main' }));

    const result = await h.result(job.deploymentId);

    expect(result).toMatchObject({
      deploymentId: job.deploymentId,
      attempt: 1,
      outcome: 'succeeded',
      commit: { sha: repo.head(), message: 'first page', author: 'Ada Lovelace' },
      url: 'http://shop-production.localhost:3080',
      previewUrl: `http://shop-${job.deploymentId.slice(0, 8)}.localhost:3080`,
    });
    const artifactPath = join(h.dataDir, 'artifacts', `${job.deploymentId}.tar.gz`);
    const bytes = readFileSync(artifactPath);
    expect(result.artifact).toEqual({
      id: job.deploymentId,
      kind: 'static',
      sizeBytes: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    });
    expect(await entries(artifactPath)).toContain('./index.html');
    expect(await entries(artifactPath)).not.toContain('./.git/');
    expect(h.provider.deployed.find((s) => s.deploymentId === job.deploymentId)).toMatchObject({
      artifactPath,
      kind: 'static',
      projectName: 'shop',
      environmentName: 'production',
    });

    const lines = await h.logLines(job.deploymentId, result.lastSeq);
    expect(lines.map((l) => l.seq)).toEqual(Array.from({ length: result.lastSeq }, (_, i) => i + 1));
    expect(new Set(lines.map((l) => l.step))).toEqual(new Set(['prepare', 'clone', 'install', 'package', 'deploy']));
    // what the provider says is part of the log, as source deploy
    expect(lines).toContainEqual(expect.objectContaining({ source: 'deploy', step: 'deploy', message: 'health check passed' }));

    const progress = await h.progress(job.deploymentId);
    expect(progress.map((p) => [p.stage, p.phase])).toEqual([
      ['initializing', 'pulling_source'],
      ['building', 'building'],
      ['building', 'packaging'],
      ['deploying', 'releasing'],
    ]);
    expect(progress[1].commit?.sha).toBe(repo.head());
    await eventually('work dir removed', () => !existsSync(join(h.dataDir, 'work', job.deploymentId)) || undefined);
    repo.remove();
  });

  it('checks out a tag, a commit sha and a branch, each as it was', async () => {
    const repo = GitRepo.create(staticSite('v1'));
    const first = repo.head();
    repo.tag('v1.0.0');
    repo.write(staticSite('v2')).commit('second');
    repo.branch('feature');
    const feature = repo.write(staticSite('feature')).commit('feature work');
    repo.checkout('main');

    for (const [ref, sha] of [
      ['v1.0.0', first],
      [first, first],
      [first.slice(0, 10), first],
      ['feature', feature],
      ['refs/heads/feature', feature],
    ]) {
      const job = await h.dispatch(aDeployJob({ repositoryUrl: `file://${repo.dir}`, sourceRef: ref }));
      const result = await h.result(job.deploymentId);
      expect({ ref, outcome: result.outcome, sha: result.commit?.sha }).toEqual({ ref, outcome: 'succeeded', sha });
    }
    repo.remove();
  });

  it('runs npm ci and the build script, then serves the first output dir that has an index.html', async () => {
    const repo = GitRepo.create(
      npmProject({
        scripts: {
          build: `node -e "require('fs').mkdirSync('dist');require('fs').writeFileSync('dist/index.html','<h1>built</h1>');console.log('built with NODE_ENV='+process.env.NODE_ENV)"`,
        },
      }),
    );
    const job = await h.dispatch(aDeployJob({ repositoryUrl: repo.dir }));

    const result = await h.result(job.deploymentId);

    expect(result.outcome).toBe('succeeded');
    expect(result.artifact?.kind).toBe('static');
    const artifactPath = join(h.dataDir, 'artifacts', `${job.deploymentId}.tar.gz`);
    // the archive holds the output dir's contents at its root, not the sources
    const names = await entries(artifactPath);
    expect(names).toContain('./index.html');
    expect(names).not.toContain('./package.json');
    const lines = await h.logLines(job.deploymentId, result.lastSeq);
    expect(lines).toContainEqual(expect.objectContaining({ step: 'install', source: 'system', message: '$ npm ci --no-audit --no-fund' }));
    expect(lines).toContainEqual(expect.objectContaining({ step: 'build', source: 'build', level: 'info', message: 'built with NODE_ENV=production' }));
    repo.remove();
  });
});

import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { list } from 'tar';
import { aDeployJob, getWithHost } from '@flightdeck/testing';
import { ReleaseProcesses } from '../src/provider/release-processes';
import { BuilderHarness } from './support/builder-harness';
import { type Files, GitRepo } from './support/git-repo';

// The apps users bring, with their real dependencies from the npm registry (lockfiles committed in
// test/fixtures): each detected, built in the sandbox, packed slim and served through the edge.
// Several minutes on 2 cores, most of it Create React App's install and webpack build.
jest.setTimeout(600_000);

const filesOf = (dir: string): Files =>
  Object.fromEntries(
    readdirSync(dir, { recursive: true, encoding: 'utf8' })
      .filter((p) => statSync(join(dir, p)).isFile())
      .map((p) => [relative(dir, join(dir, p)), readFileSync(join(dir, p), 'utf8')]),
  );

describe('real frameworks, built and served', () => {
  let h: BuilderHarness;
  let edgePort: number;
  let app: INestApplication;
  const get = (label: string) => getWithHost(edgePort, `${label}.localhost:${edgePort}`);

  beforeAll(async () => {
    ({ h, edgePort, app } = await BuilderHarness.withInternalProvider({ healthTimeoutMs: 60_000 }));
  });
  afterAll(async () => {
    await h?.stop();
  });

  const deploy = async (fixture: string) => {
    const repo = GitRepo.create(filesOf(join(__dirname, 'fixtures', fixture)));
    const started = performance.now();
    const job = await h.dispatch(aDeployJob({ projectName: fixture, repositoryUrl: repo.dir }));
    const result = await h.result(job.deploymentId, 540_000);
    const lines = (await h.logLines(job.deploymentId, result.lastSeq)).map((l) => l.message);
    if (result.outcome !== 'succeeded') throw new Error(`${fixture} did not deploy: ${JSON.stringify(result.failure)}\n${lines.slice(-30).join('\n')}`);
    const names: string[] = [];
    await list({ file: join(h.dataDir, 'artifacts', `${job.deploymentId}.tar.gz`), onReadEntry: (e) => names.push(e.path) });
    console.log(`${fixture}: ${Math.round(performance.now() - started)} ms, artifact ${result.artifact?.sizeBytes} bytes, ${names.length} entries`);
    repo.remove();
    return { result, lines, names, releasePids: () => app.get(ReleaseProcesses).pids() };
  };

  it.each([
    ['cra-app', 'Create React App', 'Create React App on Flightdeck', /^\.\/static\/js\/main\.[0-9a-f]+\.js$/],
    ['astro-static', 'Astro', '<h1>Astro on Flightdeck</h1>', /^\.\/index\.html$/],
  ])('%s (%s) deploys as static files: only its output is packed, no process runs, the edge serves its page', async (fixture, name, page, built) => {
    const pidsBefore = app.get(ReleaseProcesses).pids().length;
    const { result, lines, names, releasePids } = await deploy(fixture);
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^Detected: ${name} .*, runs as static files served by the edge$`)));
    expect(result.artifact).toMatchObject({ kind: 'static' });
    expect(names).toContain('./index.html');
    expect(names.some((n) => built.test(n))).toBe(true);
    expect(names.some((n) => /node_modules|^\.\/src\/|package\.json$/.test(n))).toBe(false);
    expect(releasePids().length).toBe(pidsBefore);
    const res = await get(`${fixture}-production`);
    expect(res).toMatchObject({ status: 200 });
    expect(res.body).toContain(page);
  });

  it.each([
    ['next-app', 'Next.js', 'Next.js on Flightdeck', /^\.\/\.next\/BUILD_ID$/],
    ['express-server', 'Express', '<h1>Express on Flightdeck</h1>', /^\.\/server\.js$/],
  ])('%s (%s) deploys as a Node server behind the edge', async (fixture, name, page, packed) => {
    const { result, lines, names } = await deploy(fixture);
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^Detected: ${name} .*, runs as a Node server$`)));
    expect(result.artifact).toMatchObject({ kind: 'node' });
    expect(names.some((n) => packed.test(n))).toBe(true);
    expect(names.some((n) => n.includes('.next/cache/'))).toBe(false);
    const res = await get(`${fixture}-production`);
    expect(res).toMatchObject({ status: 200 });
    expect(res.body).toContain(page);
  });
});

import { randomUUID } from 'node:crypto';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DeployJob } from '@flightdeck/contracts';
import { list } from 'tar';
import { aDeployJob } from '@flightdeck/testing';
import { BuilderHarness } from './support/builder-harness';
import { type Files, GitRepo, npmProject } from './support/git-repo';

jest.setTimeout(120_000);

const entries = async (file: string) => {
  const names: string[] = [];
  await list({ file, onReadEntry: (e) => names.push(e.path) });
  return names;
};

// A stand-in `vite` package inside the repository (a file: dependency, so npm installs it with no
// network): the detector recognises Vite by the dependency's name; `vite build` writes dist/.
const viteApp = (scripts: Record<string, string>): Files => ({
  'package.json': JSON.stringify({ name: 'web', version: '1.0.0', private: true, scripts, devDependencies: { vite: 'file:./vendor/vite' } }),
  'vendor/vite/package.json': JSON.stringify({ name: 'vite', version: '5.4.2', bin: { vite: 'bin.js' } }),
  'vendor/vite/bin.js': `#!/usr/bin/env node
const fs = require('fs');
if (process.argv[2] !== 'build') { console.log('dev server on 5173'); setInterval(() => {}, 1000); }
else { fs.mkdirSync('dist/assets', { recursive: true }); fs.writeFileSync('dist/index.html', '<h1>built by vite</h1>'); fs.writeFileSync('dist/assets/app.js', '1'); }
`,
  'index.html': '<h1>source</h1>',
  'src/main.js': 'console.log(1)',
});

describe('building what the detector finds', () => {
  let h: BuilderHarness;
  beforeAll(async () => (h = await BuilderHarness.start()));
  afterAll(async () => h?.stop());

  it('serves a Vite app whose start script is its dev server as static files: detection in the first lines and the progress, only dist/ packed', async () => {
    const repo = GitRepo.create(viteApp({ start: 'vite', build: 'vite build' }));
    const job = await h.dispatch(aDeployJob({ repositoryUrl: repo.dir }));
    const result = await h.result(job.deploymentId);
    expect(result).toMatchObject({ outcome: 'succeeded', artifact: { kind: 'static' } });

    const names = await entries(join(h.dataDir, 'artifacts', `${job.deploymentId}.tar.gz`));
    expect(names).toEqual(expect.arrayContaining(['./index.html', './assets/app.js']));
    expect(names.some((n) => n.includes('node_modules') || n.includes('package.json') || n.includes('src/'))).toBe(false);
    expect(h.provider.deployed.find((s) => s.deploymentId === job.deploymentId)).toMatchObject({ kind: 'static', startCommand: undefined });

    const lines = (await h.logLines(job.deploymentId, result.lastSeq)).map((l) => l.message);
    const first = lines.findIndex((l) => l.startsWith('Detected: '));
    expect(lines[first]).toBe('Detected: Vite file:./vendor/vite (vite), runs as static files served by the edge');
    expect(lines.slice(first, first + 8)).toEqual(
      expect.arrayContaining([
        'Package manager: npm (no lockfile)',
        'Install: npm install --no-audit --no-fund · Build: npm run build · Output: dist · Start: -',
        'Why: the "start" script runs a development server (vite): not used in production',
      ]),
    );
    // the install and build come after it: the detection is what the build log opens with
    expect(lines.findIndex((l) => l.startsWith('$ npm install'))).toBeGreaterThan(first);
    expect(lines.some((l) => l.includes('dev server on 5173'))).toBe(false);

    const progress = await h.progress(job.deploymentId);
    expect(progress.find((p) => p.phase === 'packaging')?.build).toMatchObject({
      framework: 'vite',
      frameworkName: 'Vite',
      frameworkVersion: '5.4.2',
      packageManager: 'npm (no lockfile)',
      buildCommand: 'npm run build',
      outputDirectory: 'dist',
      runKind: 'static',
    });
    repo.remove();
  });

  it('runs a server without a start script the way npm does: node server.js', async () => {
    const repo = GitRepo.create(npmProject({ scripts: {} }, { 'server.js': 'require("http").createServer((q, s) => s.end("ok")).listen(process.env.PORT)' }));
    const job = await h.dispatch(aDeployJob({ repositoryUrl: repo.dir }));
    expect(await h.result(job.deploymentId)).toMatchObject({ outcome: 'succeeded', artifact: { kind: 'node' } });
    expect(h.provider.deployed.find((s) => s.deploymentId === job.deploymentId)).toMatchObject({ kind: 'node', startCommand: ['node', 'server.js'] });
    repo.remove();
  });

  it("packs a plain server without its devDependencies or the build's caches, and reports the artifact's size", async () => {
    const lib = (name: string) => ({ [`vendor/${name}/package.json`]: JSON.stringify({ name, version: '1.0.0', main: 'index.js' }), [`vendor/${name}/index.js`]: 'module.exports = 1' });
    const repo = GitRepo.create({
      'package.json': JSON.stringify({
        name: 'api',
        version: '1.0.0',
        scripts: { start: 'node server.js', build: 'node -e "require(\'fs\').mkdirSync(\'node_modules/.cache/x\', {recursive: true})"' },
        dependencies: { greeting: 'file:./vendor/greeting' },
        devDependencies: { linter: 'file:./vendor/linter' },
      }),
      ...lib('greeting'),
      ...lib('linter'),
      'server.js': 'require("greeting"); require("http").createServer((q, s) => s.end("ok")).listen(process.env.PORT)',
    });
    const job = await h.dispatch(aDeployJob({ repositoryUrl: repo.dir }));
    const result = await h.result(job.deploymentId);
    expect(result).toMatchObject({ outcome: 'succeeded', artifact: { kind: 'node' } });
    const names = await entries(join(h.dataDir, 'artifacts', `${job.deploymentId}.tar.gz`));
    expect(names).toEqual(expect.arrayContaining(['./server.js', './node_modules/greeting']));
    expect(names.filter((n) => n.startsWith('./node_modules/linter') || n.startsWith('./node_modules/.cache'))).toEqual([]);
    const lines = (await h.logLines(job.deploymentId, result.lastSeq)).map((l) => l.message);
    expect(lines).toContain('Artifact: devDependencies pruned before packing');
    expect(lines).toContain('$ npm prune --omit=dev --no-audit --no-fund');
    expect(lines).toContain(`Packed the Node server: ${result.artifact!.sizeBytes} bytes (${result.artifact!.sizeBytes} B), sha256 ${result.artifact!.sha256}`);
    repo.remove();
  });

  it('deploys the app of an npm workspace named by rootDirectory: installed at the root, run in its folder', async () => {
    const server = (name: string) => `require("http").createServer((q, s) => s.end("${name}")).listen(process.env.PORT)`;
    const repo = GitRepo.create({
      'package.json': JSON.stringify({ name: 'mono', private: true, workspaces: ['apps/*', 'packages/*'] }),
      'packages/shared/package.json': JSON.stringify({ name: '@mono/shared', version: '1.0.0', main: 'index.js' }),
      'packages/shared/index.js': 'module.exports = "shared"',
      'apps/api/package.json': JSON.stringify({ name: '@mono/api', version: '1.0.0', scripts: { start: 'node server.js' }, dependencies: { '@mono/shared': '1.0.0' } }),
      'apps/api/server.js': `require("@mono/shared"); ${server('api')}`,
      'apps/admin/package.json': JSON.stringify({ name: '@mono/admin', version: '1.0.0', scripts: { start: 'node server.js' } }),
      'apps/admin/server.js': server('admin'),
    });
    const job = await h.dispatch(aDeployJob({ repositoryUrl: repo.dir, buildSettings: { rootDirectory: 'apps/api' } }));
    const result = await h.result(job.deploymentId);
    expect(result).toMatchObject({ outcome: 'succeeded', artifact: { kind: 'node' } });
    expect(h.provider.deployed.find((s) => s.deploymentId === job.deploymentId)?.startCommand).toEqual(['sh', '-c', `cd 'apps/api' && exec "$@"`, 'sh', 'npm', 'run', 'start']);
    const names = await entries(join(h.dataDir, 'artifacts', `${job.deploymentId}.tar.gz`));
    // installed once at the root: the workspace's own package is linked there
    expect(names).toEqual(expect.arrayContaining(['./apps/api/server.js', './node_modules/@mono/shared']));
    const lines = (await h.logLines(job.deploymentId, result.lastSeq)).map((l) => l.message);
    expect(lines).toContain('Package manager: npm (no lockfile), npm workspace: installed at the repository root');
    repo.remove();
  });

  it("runs the testCommand after the build and reports its runner's counts, its warnings and times; failing tests fail the deployment with them", async () => {
    const files = (failing: boolean) =>
      npmProject(
        { scripts: { preinstall: 'node warn.js', build: 'node -e 1' } },
        {
          // what npm prints for a deprecated package (npm's own echo of the script must not count)
          'warn.js': 'console.error("npm warn deprecated left-pad@1.3.0: use String.prototype.padStart()")',
          'server.js': 'require("http").createServer((q, s) => s.end("ok")).listen(process.env.PORT)',
          'test/add.test.js': `const test = require('node:test'); const assert = require('node:assert');
test('adds', () => assert.equal(1 + 1, 2));
test('subtracts', () => assert.equal(2 - 1, 1));
test('multiplies', () => assert.equal(2 * 2, ${failing ? 5 : 4}));`,
        },
      );
    const passing = GitRepo.create(files(false));
    const ok = await h.dispatch(aDeployJob({ repositoryUrl: passing.dir, buildSettings: { testCommand: 'node --test test/' } }));
    const good = await h.result(ok.deploymentId);
    expect(good).toMatchObject({
      outcome: 'succeeded',
      summary: { tests: { runner: 'node', passed: 3, failed: 0, skipped: 0 }, warningCount: 1, warnings: [{ step: 'install', message: expect.stringContaining('npm warn deprecated left-pad@1.3.0') }] },
    });
    expect(good.summary).toMatchObject({ installTimeMs: expect.any(Number), buildTimeMs: expect.any(Number), testTimeMs: expect.any(Number), buildSizeBytes: good.artifact!.sizeBytes });

    const failing = GitRepo.create(files(true));
    const bad = await h.dispatch(aDeployJob({ repositoryUrl: failing.dir, buildSettings: { testCommand: 'node --test test/' } }));
    const failed = await h.result(bad.deploymentId);
    expect(failed).toMatchObject({
      outcome: 'failed',
      failure: { code: 'deployment/build-failed', step: 'build', message: 'tests failed: node --test test/ exited with code 1 (1 failed, 2 passed)' },
      summary: { tests: { runner: 'node', passed: 2, failed: 1 } },
    });
    expect(h.provider.deployed.some((s) => s.deploymentId === bad.deploymentId)).toBe(false);
    passing.remove();
    failing.remove();
  });

  it('restores node_modules and framework caches for the same lockfile and skips the install; clearCache and a corrupt entry build cold', async () => {
    const repo = GitRepo.create(
      npmProject(
        { scripts: { build: 'node build.js', start: 'node server.js' } },
        {
          // what a framework keeps between builds (.next/cache, node_modules/.cache): a warm build finds it
          'build.js': `const fs = require('fs'); const m = 'node_modules/.cache/fw/marker';
console.log(fs.existsSync(m) ? 'framework cache: warm' : 'framework cache: cold');
fs.mkdirSync('node_modules/.cache/fw', { recursive: true }); fs.writeFileSync(m, 'x');`,
          'server.js': 'require("http").createServer((q, s) => s.end("ok")).listen(process.env.PORT)',
        },
      ),
    );
    const projectName = `cache-${randomUUID().slice(0, 8)}`;
    const build = async (over: Partial<DeployJob> = {}) => {
      const job = await h.dispatch(aDeployJob({ repositoryUrl: repo.dir, projectName, ...over }));
      const result = await h.result(job.deploymentId);
      expect(result.outcome).toBe('succeeded');
      return (await h.logLines(job.deploymentId, result.lastSeq)).map((l) => l.message);
    };
    const cold = await build();
    expect(cold).toContainEqual(expect.stringMatching(/^Build cache miss \(package-lock.json sha256 [0-9a-f]{12}, npm, Node [\d.]+\): installing$/));
    expect(cold).toContain('framework cache: cold');
    expect(cold).toContainEqual(expect.stringMatching(/^Build cache saved for package-lock.json/));

    const warm = await build();
    expect(warm).toContainEqual(expect.stringMatching(/^Build cache hit \(.*\): node_modules and framework caches restored, install skipped$/));
    expect(warm).toContain('framework cache: warm');
    expect(warm.some((l) => l.startsWith('$ npm ci'))).toBe(false);

    const cleared = await build({ clearCache: true });
    expect(cleared).toContain("Cleared the project's build caches (clearCache): this build is cold");
    expect(cleared).toContain('framework cache: cold');

    const dir = join(h.dataDir, 'cache', projectName, 'build-cache');
    for (const f of readdirSync(dir)) writeFileSync(join(dir, f), 'not a tar archive');
    const corrupt = await build();
    expect(corrupt).toContainEqual(expect.stringMatching(/could not be read \(corrupt\): removed, installing from scratch$/));
    expect(corrupt).toContain('framework cache: cold');
    expect(corrupt).toContainEqual(expect.stringMatching(/^Build cache saved for/));
    repo.remove();
  });

  it('deploys the app of a pnpm workspace named by rootDirectory: pnpm (through corepack, from the registry) installs at the root', async () => {
    const lock = [
      "lockfileVersion: '9.0'",
      '',
      'settings:',
      '  autoInstallPeers: true',
      '  excludeLinksFromLockfile: false',
      '',
      'importers:',
      '',
      '  .: {}',
      '',
      '  apps/api:',
      '    dependencies:',
      "      '@mono/shared':",
      '        specifier: workspace:*',
      '        version: link:../../packages/shared',
      '',
      '  packages/shared: {}',
      '',
    ].join('\n');
    const repo = GitRepo.create({
      'package.json': JSON.stringify({ name: 'mono', private: true, packageManager: 'pnpm@9.15.0' }),
      'pnpm-workspace.yaml': 'packages:\n  - "apps/*"\n  - "packages/*"\n',
      'pnpm-lock.yaml': lock,
      'packages/shared/package.json': JSON.stringify({ name: '@mono/shared', version: '1.0.0', main: 'index.js' }),
      'packages/shared/index.js': 'module.exports = "shared"',
      'apps/api/package.json': JSON.stringify({ name: '@mono/api', version: '1.0.0', scripts: { start: 'node server.js' }, dependencies: { '@mono/shared': 'workspace:*' } }),
      'apps/api/server.js': 'require("@mono/shared"); require("http").createServer((q, s) => s.end("api")).listen(process.env.PORT)',
    });
    const job = await h.dispatch(aDeployJob({ repositoryUrl: repo.dir, buildSettings: { rootDirectory: 'apps/api' } }));
    const result = await h.result(job.deploymentId, 120_000);
    expect(result).toMatchObject({ outcome: 'succeeded', artifact: { kind: 'node' } });
    expect(h.provider.deployed.find((s) => s.deploymentId === job.deploymentId)?.startCommand).toEqual(['sh', '-c', `cd 'apps/api' && exec "$@"`, 'sh', 'corepack', 'pnpm', 'run', 'start']);
    const names = await entries(join(h.dataDir, 'artifacts', `${job.deploymentId}.tar.gz`));
    expect(names).toEqual(expect.arrayContaining(['./apps/api/server.js', './apps/api/node_modules/@mono/shared']));
    const lines = (await h.logLines(job.deploymentId, result.lastSeq)).map((l) => l.message);
    expect(lines).toContain('Package manager: pnpm (pnpm-lock.yaml), pnpm workspace: installed at the repository root');
    expect(lines).toContain('$ corepack pnpm install');
    repo.remove();
  });

  it('deploys the app of a yarn workspace (a Turborepo layout) named by rootDirectory: yarn (through corepack, from the registry) installs at the root', async () => {
    const repo = GitRepo.create({
      'package.json': JSON.stringify({ name: 'mono', private: true, workspaces: ['apps/*', 'packages/*'], packageManager: 'yarn@1.22.22' }),
      'yarn.lock': '# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.\n# yarn lockfile v1\n\n\n',
      'turbo.json': JSON.stringify({ $schema: 'https://turbo.build/schema.json', tasks: { build: { outputs: ['dist/**'] } } }),
      'packages/shared/package.json': JSON.stringify({ name: '@mono/shared', version: '1.0.0', main: 'index.js' }),
      'packages/shared/index.js': 'module.exports = "shared"',
      'apps/web/package.json': JSON.stringify({ name: '@mono/web', version: '1.0.0', scripts: { start: 'node server.js' }, dependencies: { '@mono/shared': '1.0.0' } }),
      'apps/web/server.js': 'require("http").createServer((q, s) => s.end(require("@mono/shared"))).listen(process.env.PORT)',
      'apps/docs/package.json': JSON.stringify({ name: '@mono/docs', version: '1.0.0', scripts: { start: 'node server.js' } }),
      'apps/docs/server.js': 'require("http").createServer((q, s) => s.end("docs")).listen(process.env.PORT)',
    });
    const job = await h.dispatch(aDeployJob({ repositoryUrl: repo.dir, buildSettings: { rootDirectory: 'apps/web' } }));
    const result = await h.result(job.deploymentId, 120_000);
    expect(result).toMatchObject({ outcome: 'succeeded', artifact: { kind: 'node' } });
    expect(h.provider.deployed.find((s) => s.deploymentId === job.deploymentId)?.startCommand).toEqual(['sh', '-c', `cd 'apps/web' && exec "$@"`, 'sh', 'corepack', 'yarn', 'run', 'start']);
    const names = await entries(join(h.dataDir, 'artifacts', `${job.deploymentId}.tar.gz`));
    expect(names).toEqual(expect.arrayContaining(['./apps/web/server.js', './node_modules/@mono/shared']));
    const lines = (await h.logLines(job.deploymentId, result.lastSeq)).map((l) => l.message);
    expect(lines).toContain('Package manager: yarn (yarn.lock), yarn workspace: installed at the repository root');
    expect(lines).toContain('$ corepack yarn install');
    repo.remove();
  });

  it('fails a repository with a Dockerfile as a provider error naming the Docker provider, with the detection kept', async () => {
    const repo = GitRepo.create({ ...npmProject({ scripts: { start: 'node server.js' } }), Dockerfile: 'FROM node:20\n' });
    const job = await h.dispatch(aDeployJob({ repositoryUrl: repo.dir }));
    const result = await h.result(job.deploymentId);
    expect(result).toMatchObject({ outcome: 'failed', failure: { code: 'deployment/provider-error', step: 'install', message: expect.stringContaining('Docker provider') } });
    expect((await h.progress(job.deploymentId)).find((p) => p.build)?.build).toMatchObject({ runKind: 'docker' });
    repo.remove();
  });

  it('builds the app of a rootDirectory, and refuses one that does not exist', async () => {
    const repo = GitRepo.create({ 'README.md': 'monorepo', ...Object.fromEntries(Object.entries(viteApp({ build: 'vite build' })).map(([k, v]) => [`apps/web/${k}`, v])) });
    const job = await h.dispatch(aDeployJob({ repositoryUrl: repo.dir, buildSettings: { rootDirectory: 'apps/web' } }));
    expect(await h.result(job.deploymentId)).toMatchObject({ outcome: 'succeeded', artifact: { kind: 'static' } });
    expect(await entries(join(h.dataDir, 'artifacts', `${job.deploymentId}.tar.gz`))).toContain('./index.html');

    const missing = await h.dispatch(aDeployJob({ repositoryUrl: repo.dir, buildSettings: { rootDirectory: 'apps/api' } }));
    expect(await h.result(missing.deploymentId)).toMatchObject({
      outcome: 'failed',
      failure: { code: 'deployment/build-failed', message: 'the rootDirectory "apps/api" does not exist in the repository' },
    });
    repo.remove();
  });
});

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { detectApp, readPackageJson } from './app-detection';
import { detectPackageManager } from './package-manager';
import { StepFailedError } from './step-errors';

describe('app and package manager detection', () => {
  let dir: string;
  const write = (path: string, content = '') => {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), content);
  };
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'fd-detect-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    ['pnpm-lock.yaml', 'pnpm', ['corepack', 'pnpm', 'install']],
    ['yarn.lock', 'yarn', ['corepack', 'yarn', 'install']],
    ['package-lock.json', 'npm', ['npm', 'ci', '--no-audit', '--no-fund']],
  ])('picks the package manager by its lockfile %s', (lockfile, name, install) => {
    write('package.json', '{}');
    write(lockfile);
    const pm = detectPackageManager(dir);
    expect(pm).toMatchObject({ name, lockfile, install });
  });

  it('installs with npm install when there is no lockfile, and runs scripts with the detected manager', () => {
    write('package.json', '{}');
    expect(detectPackageManager(dir).install).toEqual(['npm', 'install', '--no-audit', '--no-fund']);
    write('yarn.lock');
    expect(detectPackageManager(dir).run('start')).toEqual(['corepack', 'yarn', 'run', 'start']);
  });

  it('sees a Node server in a package with a start script, even when it also has a dist/', () => {
    write('package.json', JSON.stringify({ scripts: { start: 'node server.js' } }));
    write('dist/index.html', '<h1>');
    expect(detectApp(dir, readPackageJson(dir))).toEqual({ kind: 'node' });
  });

  it('finds the first output directory with an index.html', () => {
    write('package.json', JSON.stringify({ scripts: { build: 'x' } }));
    write('dist/app.js');
    write('build/index.html');
    write('public/index.html');
    expect(detectApp(dir, readPackageJson(dir))).toEqual({ kind: 'static', outputDir: 'build' });
  });

  it('serves plain HTML from the root only without a package.json', () => {
    write('index.html', '<h1>');
    expect(detectApp(dir, readPackageJson(dir))).toEqual({ kind: 'static', outputDir: '.' });
    write('package.json', '{"scripts":{}}');
    expect(() => detectApp(dir, readPackageJson(dir))).toThrow(StepFailedError);
  });

  it('fails the build naming what it looked for when there is nothing to deploy', () => {
    write('package.json', '{"scripts":{"build":"true"}}');
    expect(() => detectApp(dir, readPackageJson(dir))).toThrow(/no "start" script.*dist\/, build\/, out\/, public\//);
  });

  it('fails with a clear message on a malformed package.json', () => {
    write('package.json', '{nope');
    expect(() => readPackageJson(dir)).toThrow(/package.json is not valid JSON/);
  });
});

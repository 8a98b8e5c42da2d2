import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readPackageJson, staticOutput } from './app-detection';
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

  it('finds the first output directory with an index.html when none is named', () => {
    write('package.json', JSON.stringify({ scripts: { build: 'x' } }));
    write('dist/app.js');
    write('build/index.html');
    write('public/index.html');
    expect(staticOutput(dir, readPackageJson(dir), undefined)).toBe('build');
  });

  it('takes a named output directory only when the build filled it', () => {
    write('package.json', '{}');
    expect(() => staticOutput(dir, readPackageJson(dir), 'dist')).toThrow(/output directory dist\/ does not exist after the build/);
    mkdirSync(join(dir, 'dist'));
    expect(() => staticOutput(dir, readPackageJson(dir), 'dist')).toThrow(/output directory dist\/ is empty after the build/);
    write('dist/main.js');
    expect(staticOutput(dir, readPackageJson(dir), 'dist')).toBe('dist');
  });

  it('serves plain HTML from the root only without a package.json', () => {
    write('index.html', '<h1>');
    expect(staticOutput(dir, readPackageJson(dir), undefined)).toBe('.');
    write('package.json', '{"scripts":{}}');
    expect(() => staticOutput(dir, readPackageJson(dir), undefined)).toThrow(StepFailedError);
  });

  it('fails the build naming what it looked for when there is nothing to deploy', () => {
    write('package.json', '{"scripts":{"build":"true"}}');
    expect(() => staticOutput(dir, readPackageJson(dir), undefined)).toThrow(/no "start" script.*dist\/, build\/, out\/, public\//);
  });

  it('reads dependencies and devDependencies, and refuses a package.json linked from outside', () => {
    write('package.json', JSON.stringify({ dependencies: { next: '14.2.0' }, devDependencies: { vite: '^5' }, scripts: { start: 1 } }));
    expect(readPackageJson(dir)).toEqual({ scripts: {}, dependencies: { next: '14.2.0', vite: '^5' }, devDependencies: { vite: '^5' } });
    const outside = mkdtempSync(join(tmpdir(), 'fd-outside-'));
    writeFileSync(join(outside, 'secret.json'), '{"dependencies":{"x":"secret"}}');
    rmSync(join(dir, 'package.json'));
    symlinkSync(join(outside, 'secret.json'), join(dir, 'package.json'));
    expect(() => readPackageJson(dir)).toThrow(/outside the repository/);
    rmSync(outside, { recursive: true, force: true });
  });

  it('fails with a clear message on a malformed package.json', () => {
    write('package.json', '{nope');
    expect(() => readPackageJson(dir)).toThrow(/package.json is not valid JSON/);
  });
});

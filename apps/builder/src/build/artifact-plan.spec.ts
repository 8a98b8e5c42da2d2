import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PackageJson } from './app-detection';
import { ARTIFACT_EXCLUDE, nodeArtifact } from './artifact-plan';
import { shellCommand } from './build-plan';
import { detectPackageManager } from './package-manager';

describe('what a Node server artifact holds', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'fd-artifact-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const pkg = (over: Partial<PackageJson> = {}): PackageJson => ({ scripts: {}, dependencies: {}, devDependencies: {}, ...over });
  const npm = () => {
    writeFileSync(join(dir, 'package-lock.json'), '{}');
    return detectPackageManager(dir);
  };
  const input = (over: Partial<Parameters<typeof nodeArtifact>[0]> = {}) => ({
    dir,
    rootDirectory: '.',
    framework: null,
    pkg: pkg({ scripts: { start: 'node server.js' } }),
    pm: npm(),
    start: { argv: ['npm', 'run', 'start'], display: 'npm run start' },
    startFromSettings: false,
    ...over,
  });

  it('prunes devDependencies of a plain server before packing it', () => {
    expect(nodeArtifact(input())).toMatchObject({ dir: '.', prepare: [{ display: 'npm prune --omit=dev --no-audit --no-fund' }] });
  });

  it('packs whole when the start command comes from a devDependency or from the settings', () => {
    const tsNode = input({ pkg: pkg({ scripts: { start: 'ts-node src/main.ts' }, devDependencies: { 'ts-node': '10' } }) });
    expect(nodeArtifact(tsNode)).toMatchObject({ dir: '.', prepare: [], why: expect.stringContaining('ts-node is one') });
    expect(nodeArtifact(input({ startFromSettings: true, start: shellCommand('node dist/main.js') })).prepare).toEqual([]);
  });

  it("packs only Nuxt's .output and starts its server from there", () => {
    const a = nodeArtifact(input({ framework: 'nuxtjs', start: shellCommand('node .output/server/index.mjs') }));
    expect(a).toMatchObject({ dir: '.output', prepare: [], start: { display: 'node server/index.mjs' } });
  });

  it('packs only .next/standalone when next.config asks for it, with its static assets copied in', () => {
    const next = input({ framework: 'nextjs', start: shellCommand('next start') });
    expect(nodeArtifact(next).dir).toBe('.');
    writeFileSync(join(dir, 'next.config.mjs'), "export default { output: 'standalone' };");
    expect(nodeArtifact(next)).toMatchObject({
      dir: '.next/standalone',
      start: { display: 'HOSTNAME=127.0.0.1 node server.js' },
      prepare: [{ display: expect.stringContaining('cp -R .next/static .next/standalone/.next/') }],
    });
  });

  it('packs a workspace app with its repository, unpruned', () => {
    expect(nodeArtifact(input({ rootDirectory: 'apps/api' }))).toMatchObject({ dir: '.', prepare: [] });
  });

  it('leaves the build caches out of every artifact', () => {
    for (const p of ['./.git/HEAD', './node_modules/.cache/x', './.next/cache/images/a', '.turbo/log']) expect(ARTIFACT_EXCLUDE.test(p)).toBe(true);
    for (const p of ['./.next/server/app.js', './node_modules/next/package.json', './server.js']) expect(ARTIFACT_EXCLUDE.test(p)).toBe(false);
  });
});

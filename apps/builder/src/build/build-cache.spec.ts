import { mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CACHE_SUBDIR, buildCacheKey, evictOldEntries } from './build-cache';
import { detectPackageManager } from './package-manager';

describe('build cache', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'fd-cache-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keys by lockfile content, package manager, Node version and app folder; none without a lockfile', () => {
    writeFileSync(join(dir, 'package.json'), '{}');
    expect(buildCacheKey(dir, detectPackageManager(dir), '.')).toBeUndefined();
    writeFileSync(join(dir, 'package-lock.json'), '{"lockfileVersion":3}');
    const pm = detectPackageManager(dir);
    const a = buildCacheKey(dir, pm, '.', '20.20.2')!;
    expect(a.describe).toMatch(/^package-lock.json sha256 [0-9a-f]{12}, npm, Node 20.20.2$/);
    expect(buildCacheKey(dir, pm, '.', '20.20.2')!.key).toBe(a.key);
    expect(buildCacheKey(dir, pm, '.', '22.1.0')!.key).not.toBe(a.key);
    expect(buildCacheKey(dir, pm, 'apps/web', '20.20.2')!.key).not.toBe(a.key);
    writeFileSync(join(dir, 'package-lock.json'), '{"lockfileVersion":3,"packages":{}}');
    expect(buildCacheKey(dir, pm, '.', '20.20.2')!.key).not.toBe(a.key);
  });

  it('evicts the oldest entries past the size cap, always keeping the newest', async () => {
    const d = join(dir, CACHE_SUBDIR);
    mkdirSync(d);
    const now = Date.now() / 1000;
    for (const [name, age] of [['new', 0], ['mid', 60], ['old', 120]] as const) {
      writeFileSync(join(d, `${name}.tar`), Buffer.alloc(400));
      utimesSync(join(d, `${name}.tar`), now - age, now - age);
    }
    expect(await evictOldEntries(dir, 900)).toEqual(['old.tar']);
    expect(await evictOldEntries(dir, 100)).toEqual(['mid.tar']);
    expect(await readdir(d)).toEqual(['new.tar']);
  });

  it('never follows a build-cache that the build replaced with a link', async () => {
    const elsewhere = mkdtempSync(join(tmpdir(), 'fd-cache-other-'));
    for (const name of ['a', 'b']) writeFileSync(join(elsewhere, `${name}.tar`), Buffer.alloc(400));
    symlinkSync(elsewhere, join(dir, CACHE_SUBDIR));
    expect(await evictOldEntries(dir, 100)).toEqual([]);
    expect((await readdir(elsewhere)).sort()).toEqual(['a.tar', 'b.tar']);
    rmSync(elsewhere, { recursive: true, force: true });
  });
});

import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { lstat, readdir, realpath, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { isInside } from './framework-detection';
import type { PackageManager } from './package-manager';

// A project's build cache: node_modules and the framework's own caches (.next/cache; node_modules/.cache
// comes with node_modules) of its last successful builds, one archive per key, in the project's
// cache dir (the sandbox's /cache, which only that project's builds see). The archives are written
// and read by the build's own sandboxed user, never unpacked by the builder. Keyed by the lockfile's
// content, the package manager, the Node version and the app's folder: a hit skips the install.
export const CACHED_PATHS = ['node_modules', '.next/cache'];
export const CACHE_SUBDIR = 'build-cache';

export interface CacheKey {
  key: string;
  /** for the log: what the key stands for */
  describe: string;
}

export function buildCacheKey(installDir: string, pm: PackageManager | undefined, rootDirectory: string, nodeVersion = process.versions.node): CacheKey | undefined {
  if (!pm?.lockfile) return undefined;
  const file = join(installDir, pm.lockfile);
  if (!existsSync(file) || !isInside(installDir, file)) return undefined;
  const lock = createHash('sha256').update(readFileSync(file)).digest('hex');
  const key = createHash('sha256').update(JSON.stringify([lock, pm.name, nodeVersion, rootDirectory])).digest('hex').slice(0, 32);
  return { key, describe: `${pm.lockfile} sha256 ${lock.slice(0, 12)}, ${pm.name}, Node ${nodeVersion}` };
}

// exit 0: restored; 3: no entry; 4: the entry was corrupt (removed, and whatever it half-wrote)
export const RESTORE_MISS = 3;
export const RESTORE_CORRUPT = 4;
export function restoreCommand(cacheDir: string, key: string): string[] {
  const f = `${cacheDir}/${CACHE_SUBDIR}/${key}.tar`;
  return ['sh', '-c', `[ -f '${f}' ] || exit ${RESTORE_MISS}; if tar -xf '${f}'; then touch '${f}'; else rm -f '${f}'; rm -rf ${CACHED_PATHS.join(' ')}; exit ${RESTORE_CORRUPT}; fi`];
}

// Uncompressed: gzip of a 40 MB node_modules cost seconds of every cold build and of every hit.
// Written under a temporary name and renamed: a build killed mid-save leaves the previous entry
// whole (its partial is removed by a later save once it is an hour old).
export function saveCommand(cacheDir: string, key: string): string[] {
  const d = `${cacheDir}/${CACHE_SUBDIR}`;
  return [
    'sh',
    '-c',
    `mkdir -p '${d}' && find '${d}' -name '*.partial.*' -mmin +60 -delete; p='${d}/${key}.tar.partial.'$$; set --; for x in ${CACHED_PATHS.join(' ')}; do [ -e "$x" ] && set -- "$@" "$x"; done; [ $# -gt 0 ] || exit 0; tar -cf "$p" "$@" && mv -f "$p" '${d}/${key}.tar'`,
  ];
}

/** keeps the newest entries within maxBytes (the newest always stays); answers what it removed */
export async function evictOldEntries(hostCacheDir: string, maxBytes: number): Promise<string[]> {
  const dir = join(hostCacheDir, CACHE_SUBDIR);
  let names: string[];
  try {
    // the build's user owns it: a build-cache that is a link (to another project's cache, say) is
    // never followed by the builder
    if (!(await lstat(dir)).isDirectory() || (await realpath(dir)) !== join(await realpath(hostCacheDir), CACHE_SUBDIR)) return [];
    names = (await readdir(dir)).filter((n) => n.endsWith('.tar'));
  } catch {
    return [];
  }
  // lstat: the directory is the build's; a link is never followed
  const entries = (await Promise.all(names.map(async (n) => ({ n, s: await lstat(join(dir, n)).catch(() => undefined) }))))
    .filter((e) => e.s?.isFile())
    .sort((a, b) => b.s!.mtimeMs - a.s!.mtimeMs);
  const removed: string[] = [];
  let total = 0;
  for (const [i, e] of entries.entries()) {
    total += e.s!.size;
    if (i > 0 && total > maxBytes) {
      await rm(join(dir, e.n), { force: true });
      removed.push(e.n);
    }
  }
  return removed;
}

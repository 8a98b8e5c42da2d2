import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canReach } from './postgres-location';
import { type ProcessUser, chownTo } from './process-user';

// Throwaway clusters (a test file's: `fast`, in a temp dir) are copies of one cluster initdb'd once
// per installation and user: initdb takes 1.5–3 s on these machines, a copy 0.2 s, and the suite
// starts one per file. The copy's superuser password is set over the local socket after it starts
// (the template's own is random and forgotten).
const READY = 'template-ready';

/** the template's data dir, made on first use; undefined where it cannot be shared (then: initdb) */
export function postgresTemplate(initdb: string, user: ProcessUser | undefined): string | undefined {
  const base = tmpdir();
  if (user && !canReach(user, base)) return undefined;
  const key = createHash('sha256')
    .update(`${initdb} ${statSync(initdb).mtimeMs} ${user?.uid ?? process.getuid?.() ?? ''}`)
    .digest('hex')
    .slice(0, 16);
  const root = join(base, `fd-pg-template-${key}`);
  if (existsSync(join(root, READY))) return join(root, 'data');

  // made aside, then renamed into place: another process making it at the same time loses nothing
  const building = mkdtempSync(`${root}.building-`);
  try {
    chownTo(building, user);
    const pwfile = join(building, '.pwfile');
    writeFileSync(pwfile, randomBytes(24).toString('hex'), { mode: 0o600 });
    chownTo(pwfile, user);
    const init = spawnSync(
      initdb,
      ['-D', join(building, 'data'), '-U', 'postgres', '--auth-local=trust', '--auth-host=scram-sha-256', `--pwfile=${pwfile}`, '-E', 'UTF8', '--no-locale', '--no-sync'],
      { uid: user?.uid, gid: user?.gid, cwd: building, env: { ...process.env, LC_ALL: 'C' } },
    );
    rmSync(pwfile, { force: true });
    if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr.toString()}`);
    writeFileSync(join(building, READY), '');
    try {
      renameSync(building, root);
    } catch {
      // another process put its template there first: that one is used
    }
  } finally {
    rmSync(building, { recursive: true, force: true });
  }
  return existsSync(join(root, READY)) ? join(root, 'data') : undefined;
}

/** a new cluster at `dataDir`, a copy of the template (owner and modes kept) */
export function copyTemplate(template: string, dataDir: string): void {
  const copy = spawnSync('cp', ['-a', template, dataDir]);
  if (copy.status !== 0) throw new Error(`copying the Postgres template failed: ${copy.stderr.toString()}`);
}

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, readlinkSync, rmSync, rmdirSync, symlinkSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { type ProcessUser, chownTo } from './process-user';

// Where clusters go when the Postgres user cannot reach the directory asked for (as root, a clone
// or a data dir under a 0700 home or mktemp dir): one directory per requested path, owned by that
// user, mode 0700. /var/lib/flightdeck is root's and 0755, its postgres/ 0711: nobody can list
// the clusters, and nothing else of the machine becomes reachable by anyone.
export const MOVED_CLUSTERS_DIR = '/var/lib/flightdeck/postgres';

export interface PostgresLocation {
  /** the directory holding the cluster (data/) and the server's socket, reachable by the Postgres user */
  root: string;
  /** the directory asked for, when the cluster lives elsewhere: it is then a symlink to `root` */
  movedFrom?: string;
}

/** whether `user` can traverse every directory down to `dir` (and `dir` itself) */
export const canReach = (user: ProcessUser, dir: string): boolean =>
  spawnSync('test', ['-x', dir], { uid: user.uid, gid: user.gid, cwd: '/', stdio: 'ignore' }).status === 0;

const isSymlink = (path: string) => {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
};

const movedClusterDir = (requested: string, base: string) =>
  join(base, createHash('sha256').update(requested).digest('hex').slice(0, 16));

const ensureOwnedDir = (dir: string, user: ProcessUser) => {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chownTo(dir, user);
  chmodSync(dir, 0o700);
};

const unreachable = (user: ProcessUser, dir: string, why: string) =>
  new Error(
    `the Postgres user (uid ${user.uid}) cannot reach ${dir}: ${why}. Give that user search (x) permission on ` +
      `every directory above it, or choose another FLIGHTDECK_DATA_DIR`,
  );

// The directory a cluster asked for at `requested` really lives in. Without a user to switch to
// (not root), it is `requested`. As root, when the Postgres user cannot traverse the directories
// above `requested`, the cluster goes to MOVED_CLUSTERS_DIR/<hash of the path> and `requested`
// becomes a symlink to it: the operator finds it there, and the next start follows the link.
export function postgresLocation(requested: string, user: ProcessUser | undefined, movedBase = MOVED_CLUSTERS_DIR): PostgresLocation {
  const path = resolve(requested);
  if (!user) {
    mkdirSync(path, { recursive: true });
    return { root: path };
  }
  if (isSymlink(path)) {
    const target = resolve(dirname(path), readlinkSync(path));
    ensureOwnedDir(target, user);
    if (!canReach(user, target)) throw unreachable(user, target, `${path} points there`);
    return { root: target, movedFrom: path };
  }
  mkdirSync(path, { recursive: true });
  chownTo(path, user);
  if (canReach(user, path)) return { root: path };

  // only an empty directory is replaced by the link: an existing cluster or anything else in it stays
  if (readdirSync(path).length > 0) {
    throw unreachable(user, path, 'a directory above it is closed to that user, and it is not empty, so it is not moved');
  }
  mkdirSync(dirname(movedBase), { recursive: true, mode: 0o755 });
  mkdirSync(movedBase, { recursive: true, mode: 0o711 });
  const target = movedClusterDir(path, movedBase);
  ensureOwnedDir(target, user);
  if (!canReach(user, target)) throw unreachable(user, target, 'it is where clusters go when their data dir is out of reach');
  rmdirSync(path);
  symlinkSync(target, path);
  return { root: target, movedFrom: path };
}

/** removes a cluster directory made by startPostgres, and the cluster it links to if it was moved */
export function removePostgresDir(dir: string): void {
  if (isSymlink(dir)) {
    const target = resolve(dirname(dir), readlinkSync(dir));
    if (existsSync(target)) rmSync(target, { recursive: true, force: true });
  }
  rmSync(dir, { recursive: true, force: true });
}

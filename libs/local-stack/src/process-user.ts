import { execFileSync } from 'node:child_process';
import { chownSync } from 'node:fs';

export interface ProcessUser {
  uid: number;
  gid: number;
}

// Postgres refuses to run as root: when we are root, its processes run as the `postgres` user.
export const postgresUser = (): ProcessUser | undefined => {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  const name = process.env.FLIGHTDECK_PG_USER ?? 'postgres';
  const lookup = () => ({
    uid: Number(execFileSync('id', ['-u', name], { stdio: 'pipe' }).toString().trim()),
    gid: Number(execFileSync('id', ['-g', name], { stdio: 'pipe' }).toString().trim()),
  });
  try {
    return lookup();
  } catch {
    // a bare machine may have no such user yet: we are root, so create a system user for it
    try {
      execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', name], { stdio: 'pipe' });
      return lookup();
    } catch (e) {
      throw new Error(
        `running as root, Postgres needs an unprivileged user "${name}" and creating it failed (${(e as Error).message}); create one or set FLIGHTDECK_PG_USER`,
      );
    }
  }
};

export const chownTo = (path: string, user: ProcessUser | undefined) => {
  if (user) chownSync(path, user.uid, user.gid);
};

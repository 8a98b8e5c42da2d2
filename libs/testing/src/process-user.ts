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
  try {
    const uid = Number(execFileSync('id', ['-u', name]).toString().trim());
    const gid = Number(execFileSync('id', ['-g', name]).toString().trim());
    return { uid, gid };
  } catch {
    throw new Error(
      `running as root, Postgres needs an unprivileged user: create one (useradd --system ${name}) or set FLIGHTDECK_PG_USER`,
    );
  }
};

export const chownTo = (path: string, user: ProcessUser | undefined) => {
  if (user) chownSync(path, user.uid, user.gid);
};

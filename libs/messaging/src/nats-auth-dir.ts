import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { type NatsUserEntry, renderNatsUsersFile } from './nats-auth-config';

// The directory through which nats-server's users change while it runs (mode 0700, files 0600):
//   platform-users.json  the platform's users (services, admin) as NatsUserEntry[]: bcrypt hashes,
//                        never passwords; written by whoever starts nats-server (npm start, startNats)
//   users.conf           what the server's `authorization { include … }` reads: the platform users
//                        plus the gateway's active external publishers
//   nats-server.pid      nats-server's `pid_file`: after rewriting users.conf, SIGHUP reloads it
export const NATS_AUTH_FILES = {
  platformUsers: 'platform-users.json',
  users: 'users.conf',
  pid: 'nats-server.pid',
} as const;

export const natsAuthPaths = (dir: string) => ({
  platformUsers: join(dir, NATS_AUTH_FILES.platformUsers),
  users: join(dir, NATS_AUTH_FILES.users),
  pid: join(dir, NATS_AUTH_FILES.pid),
});

/** the include path for a config file at `configFile` (nats-server resolves it against that file's dir) */
export const natsUsersInclude = (configFile: string, dir: string) =>
  relative(dirname(configFile), natsAuthPaths(dir).users);

// Written to a temp file and renamed: nats-server, reloading at any moment, reads a whole file.
function writePrivateAtomically(file: string, content: string) {
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, content, { mode: 0o600 });
  chmodSync(temp, 0o600);
  renameSync(temp, file);
}

/** creates the dir with the platform's users, and users.conf with them and `extraUsers` */
export function prepareNatsAuthDir(dir: string, platformUsers: NatsUserEntry[], extraUsers: NatsUserEntry[] = []) {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  writePrivateAtomically(natsAuthPaths(dir).platformUsers, `${JSON.stringify(platformUsers, null, 2)}\n`);
  writeNatsUsersFile(dir, [...platformUsers, ...extraUsers]);
}

export function readPlatformNatsUsers(dir: string): NatsUserEntry[] {
  const file = natsAuthPaths(dir).platformUsers;
  if (!existsSync(file))
    throw new Error(`${file} not found: the NATS auth dir is written by whoever starts nats-server (npm start, startNats)`);
  const users = JSON.parse(readFileSync(file, 'utf8')) as unknown;
  const valid =
    Array.isArray(users) &&
    users.every((u) => typeof u?.user === 'string' && (typeof u.password?.bcrypt === 'string' || typeof u.password?.env === 'string'));
  if (!valid) throw new Error(`${file}: not a list of NATS users ({ user, password: { bcrypt } , permissions? })`);
  return users as NatsUserEntry[];
}

/** false when the file already says this: no reload needed */
export function writeNatsUsersFile(dir: string, users: NatsUserEntry[]): boolean {
  const file = natsAuthPaths(dir).users;
  const content = renderNatsUsersFile(users);
  if (existsSync(file) && readFileSync(file, 'utf8') === content) return false;
  writePrivateAtomically(file, content);
  return true;
}

// SIGHUP makes nats-server re-read its config, users.conf included; clients of a user that is
// gone are disconnected. While it reloads, nats-server 2.9 may refuse a connection being set up
// at that moment (seen here: a few percent of connects during back-to-back reloads); clients retry. The pid comes from the server's own pid file; a stale one (the server
// stopped) is refused rather than signalling whatever process now has that pid.
export function reloadNatsServer(dir: string): number {
  const file = natsAuthPaths(dir).pid;
  if (!existsSync(file)) throw new Error(`${file} not found: is nats-server running with pid_file set to it?`);
  const pid = Number(readFileSync(file, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0) throw new Error(`${file} does not hold a pid`);
  const comm = `/proc/${pid}/comm`;
  if (existsSync('/proc/self/comm')) {
    if (!existsSync(comm)) throw new Error(`nats-server (pid ${pid} from ${file}) is not running`);
    const name = readFileSync(comm, 'utf8').trim();
    if (!name.startsWith('nats-server')) throw new Error(`pid ${pid} from ${file} is ${name}, not nats-server`);
  }
  process.kill(pid, 'SIGHUP');
  return pid;
}

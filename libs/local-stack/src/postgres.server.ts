import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, type ClientConfig } from 'pg';
import { type ExitInfo, exitOf, hasExited, stopChild } from './child-exit';
import { endWithParent } from './end-with-parent';
import { freePort } from '@flightdeck/runtime';
import { postgresLocation, removePostgresDir } from './postgres-location';
import { copyTemplate, postgresTemplate } from './postgres-template';
import { chownTo, postgresUser } from './process-user';

export interface PostgresServer {
  port: number;
  /** superuser URL; services get their own roles through provisionServiceDatabase */
  url: string;
  /** the cluster's data directory (`<root>/data`) */
  dataDir: string;
  /** the directory asked for, when the Postgres user could not reach it and the cluster lives elsewhere (see postgresLocation) */
  movedFrom?: string;
  /** the postmaster's pid */
  pid?: number;
  /** resolves when the postmaster exits, however it ends */
  exited: Promise<ExitInfo>;
  stop(): Promise<void>;
}

export interface StartPostgresOptions {
  /** persistent data dir (kept on stop); default: a temp dir removed on stop */
  dataDir?: string;
  port?: number;
  /** durability settings off: for tests only */
  fast?: boolean;
  database?: string;
  /** set on a new cluster: TCP logins then need passwords (scram); default trust, for tests */
  superuserPassword?: string;
  onLog?: (line: string) => void;
}

const bin = (name: string) => {
  const fromEnv = process.env.FLIGHTDECK_PG_BIN;
  if (fromEnv) return join(fromEnv, name);
  const which = spawnSync('sh', ['-c', `command -v ${name}`]).stdout.toString().trim();
  if (which) return which;
  for (const v of ['17', '16', '15', '14']) {
    const p = `/usr/lib/postgresql/${v}/bin/${name}`;
    if (existsSync(p)) return p;
  }
  throw new Error(`${name} not found: install PostgreSQL server binaries (apt-get install postgresql) or set FLIGHTDECK_PG_BIN`);
};

/** a PostgreSQL client or server program (pg_dump, psql, ...) of the installation the stack uses */
export const postgresBinary = (name: string) => bin(name);

export async function startPostgres(opts: StartPostgresOptions = {}): Promise<PostgresServer> {
  const user = postgresUser();
  const temp = !opts.dataDir;
  const requested = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'fd-pg-'));
  const { root, movedFrom } = postgresLocation(requested, user);
  const dataDir = join(root, 'data');
  // run from the cluster's own directory: initdb and postgres fail on a working directory their
  // user cannot enter (a clone under root's 0700 home)
  const spawnOpts = { uid: user?.uid, gid: user?.gid, cwd: root, env: { ...process.env, LC_ALL: 'C' } };

  // a test's throwaway cluster: a copy of the template, its password set once it listens
  const template = temp && opts.fast && opts.superuserPassword ? postgresTemplate(bin('initdb'), user) : undefined;
  if (template) copyTemplate(template, dataDir);
  else if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    const auth = ['--auth=trust'];
    const pwfile = join(root, '.pwfile');
    if (opts.superuserPassword) {
      writeFileSync(pwfile, opts.superuserPassword, { mode: 0o600 });
      chownTo(pwfile, user);
      auth.splice(0, 1, '--auth-local=trust', '--auth-host=scram-sha-256', `--pwfile=${pwfile}`);
    }
    const init = spawnSync(
      bin('initdb'),
      ['-D', dataDir, '-U', 'postgres', ...auth, '-E', 'UTF8', '--no-locale', ...(opts.fast ? ['--no-sync'] : [])],
      spawnOpts,
    );
    rmSync(pwfile, { force: true });
    if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr.toString()}`);
  }

  const port = opts.port ?? (await freePort());
  const args = ['-D', dataDir, '-p', String(port), '-k', root, '-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=300'];
  if (opts.fast) args.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');
  const child: ChildProcess = spawn(bin('postgres'), args, { ...spawnOpts, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  const collect = (b: Buffer) => {
    const s = b.toString();
    if (output.length < 20_000) output += s;
    opts.onLog?.(s);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  endWithParent(child, 'SIGQUIT'); // SIGQUIT: Postgres' immediate shutdown, its backends with it
  const exited = exitOf(child);
  void exited.then(() => process.removeListener('exit', killOnExit));

  const database = opts.database ?? 'postgres';
  const auth = opts.superuserPassword ? `postgres:${encodeURIComponent(opts.superuserPassword)}` : 'postgres';
  const url = `postgres://${auth}@127.0.0.1:${port}/${database}`;
  const stop = async () => {
    process.removeListener('exit', killOnExit);
    await stopChild(child, 'SIGINT', 10_000); // SIGINT = fast shutdown: abort transactions, write a checkpoint
    if (temp) removePostgresDir(requested);
  };
  try {
    if (template) {
      await waitForPostgres({ host: root, port, user: 'postgres', database: 'postgres' }, child, () => output);
      await setSuperuserPassword(root, port, opts.superuserPassword!);
    }
    await waitForPostgres(`postgres://${auth}@127.0.0.1:${port}/postgres`, child, () => output);
    if (database !== 'postgres') await ensureDatabase(`postgres://${auth}@127.0.0.1:${port}/postgres`, database);
  } catch (e) {
    await stop(); // a server that never came up must not outlive the test run
    throw e;
  }

  return { port, url, dataDir, movedFrom, pid: child.pid, exited, stop };
}

async function waitForPostgres(to: string | ClientConfig, child: ChildProcess, output: () => string) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (hasExited(child)) throw new Error(`postgres exited with ${child.exitCode ?? child.signalCode}: ${output()}`);
    const client = new Client(typeof to === 'string' ? { connectionString: to } : to);
    try {
      await client.connect();
      await client.query('select 1');
      await client.end();
      return;
    } catch (e) {
      await client.end().catch(() => undefined);
      if (Date.now() > deadline) throw new Error(`postgres did not start: ${(e as Error).message}\n${output()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

// over the cluster's own socket (local logins are trusted): TCP logins need the password
async function setSuperuserPassword(socketDir: string, port: number, password: string) {
  const client = new Client({ host: socketDir, port, user: 'postgres', database: 'postgres' });
  await client.connect();
  try {
    await client.query(`alter role postgres password '${password.replace(/'/g, "''")}'`);
  } finally {
    await client.end();
  }
}

async function ensureDatabase(adminUrl: string, database: string) {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [database]);
    if (found.rowCount === 0) await client.query(`create database "${database.replace(/"/g, '')}"`);
  } finally {
    await client.end();
  }
}

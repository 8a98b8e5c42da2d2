import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServiceName } from '@flightdeck/contracts';
import {
  NATS_ADMIN_USER,
  type NatsPasswords,
  type NatsUserEntry,
  type NatsUserNames,
  completeNatsPasswords,
  natsAuthPaths,
  natsUsersInclude,
  platformNatsUsers,
  prepareNatsAuthDir,
  renderNatsServerConfig,
} from '@flightdeck/messaging';
import { type ExitInfo, exitOf, hasExited, stopChild } from './child-exit';
import { endWithParent } from './end-with-parent';
import { freePort } from '@flightdeck/runtime';

export type NatsUser = ServiceName | typeof NATS_ADMIN_USER;

export interface NatsCredentials {
  user: string;
  pass: string;
}

export interface NatsServer {
  port: number;
  /**
   * nats://127.0.0.1:<port>, without credentials: nats.js ignores credentials in a URL, so a
   * client passes them as options, e.g. `connect(nats.connectOptions())` (the admin user)
   */
  url: string;
  storeDir: string;
  /** the config file the server runs with (mode 0600) */
  configFile: string;
  /** false when started with `authorization: false` (anyone may connect and do anything) */
  authorization: boolean;
  /**
   * with authorization: the dir holding platform-users.json, users.conf (which the config includes)
   * and the server's pid file; the gateway's FLIGHTDECK_NATS_AUTH_DIR (see libs/messaging nats-auth-dir.ts)
   */
  authDir?: string;
  /** each user's credentials: the admin (every permission) and each service's own */
  credentials: Record<NatsUser, NatsCredentials>;
  /** options for nats.js `connect`: as the admin by default, or as a service's own user */
  connectOptions(as?: NatsUser): { servers: string; user?: string; pass?: string };
  /** the URL with a user's credentials in it, for connectNats / NATS_URL (nats.go and the CLI read it too) */
  urlFor(as?: NatsUser): string;
  /** NATS_URL, NATS_USER and NATS_PASSWORD for a service */
  envFor(
    service: ServiceName,
  ): Record<'NATS_URL', string> & Partial<Record<'NATS_USER' | 'NATS_PASSWORD', string>>;
  /** stop the process; the store is kept until `dispose` so `start` brings the same server back */
  stop(): Promise<void>;
  /** start it again after `stop` (or after it died), on the same port with the same store (JetStream data survives) */
  start(): Promise<void>;
  /** the running server's pid */
  pid(): number | undefined;
  /** resolves when the server started last exits, however it ends */
  exited(): Promise<ExitInfo>;
  dispose(): Promise<void>;
}

export interface StartNatsOptions {
  /** persistent store dir; default: a temp dir removed by dispose */
  storeDir?: string;
  port?: number;
  onLog?: (line: string) => void;
  /**
   * default: on, with fresh random passwords; `false`: no authorization at all (a baseline).
   * `passwords`: keep these (the local stack keeps its own across starts); `extraUsers`: more users
   * with the permissions given (external publishers); `names`: service user names other than theirs.
   */
  authorization?:
    false | { passwords?: Partial<NatsPasswords>; extraUsers?: NatsUserEntry[]; names?: NatsUserNames };
  /** where the config is written (mode 0600); default: nats-server.conf in the store dir */
  configFile?: string;
  /** where the users file and pid file go (mode 0700); default: `auth` in the store dir */
  authDir?: string;
  /** a node of a cluster (startNatsCluster): its unique name, and its route listener and peers */
  serverName?: string;
  cluster?: { name: string; port: number; routes: string[] };
}

export const natsServerBinary = (): string => {
  const fromEnv = process.env.NATS_SERVER_BIN;
  if (fromEnv) return fromEnv;
  const found = spawnSync('sh', ['-c', 'command -v nats-server || ls /usr/sbin/nats-server 2>/dev/null'])
    .stdout.toString()
    .trim()
    .split('\n')[0];
  if (!found)
    throw new Error('nats-server not found: apt-get install -y nats-server (or set NATS_SERVER_BIN)');
  return found;
};

export async function startNats(opts: StartNatsOptions = {}): Promise<NatsServer> {
  const temp = !opts.storeDir;
  const storeDir = opts.storeDir ?? mkdtempSync(join(tmpdir(), 'fd-nats-'));
  mkdirSync(storeDir, { recursive: true });
  const port = opts.port ?? (await freePort());
  const binary = natsServerBinary();
  const authOpts = opts.authorization === false ? undefined : (opts.authorization ?? {});
  const passwords = completeNatsPasswords(authOpts?.passwords);
  const credentials = Object.fromEntries(
    Object.entries(passwords).map(([name, pass]) => [
      name,
      { user: name === NATS_ADMIN_USER ? name : (authOpts?.names?.[name as ServiceName] ?? name), pass },
    ]),
  ) as Record<NatsUser, NatsCredentials>;
  // written once: a restart (stop, start) runs with the same users and passwords, and with the
  // users.conf the gateway last wrote (its external publishers)
  const configFile = opts.configFile ?? join(storeDir, 'nats-server.conf');
  const authDir = authOpts ? (opts.authDir ?? join(storeDir, 'auth')) : undefined;
  if (authOpts && authDir) {
    // a throwaway server's passwords die with it: the cheapest bcrypt cost keeps tests fast
    const platform = platformNatsUsers(passwords, { names: authOpts.names });
    prepareNatsAuthDir(authDir, [...platform, ...(authOpts.extraUsers ?? [])]);
  }
  const config = renderNatsServerConfig({
    host: '127.0.0.1',
    port,
    serverName: opts.serverName,
    cluster: opts.cluster ? { ...opts.cluster, host: '127.0.0.1' } : undefined,
    jetstream: { storeDir },
    ...(authDir ? { usersInclude: natsUsersInclude(configFile, authDir), pidFile: natsAuthPaths(authDir).pid } : {}),
  });
  writeFileSync(configFile, config, { mode: 0o600 });
  chmodSync(configFile, 0o600);
  let child: ChildProcess | undefined;
  const killOnExit = () => child?.kill('SIGKILL');

  const start = async () => {
    if (child && !hasExited(child)) return;
    child = spawn(binary, ['-c', configFile], {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    const collect = (b: Buffer) => {
      if (output.length < 20_000) output += b.toString();
      opts.onLog?.(b.toString());
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    process.removeListener('exit', killOnExit);
    process.once('exit', killOnExit);
    endWithParent(child, 'SIGKILL');
    try {
      await waitForPort(port, child, () => output);
    } catch (e) {
      await stopChild(child, 'SIGKILL', 5_000);
      throw e;
    }
  };

  const stop = async () => {
    process.removeListener('exit', killOnExit);
    if (child) await stopChild(child, 'SIGTERM', 5_000);
  };

  await start();
  const url = `nats://127.0.0.1:${port}`;
  const who = (as: NatsUser) => (authOpts ? credentials[as] : undefined);
  return {
    port,
    url,
    storeDir,
    configFile,
    authorization: !!authOpts,
    authDir,
    credentials,
    connectOptions: (as = NATS_ADMIN_USER) => ({ servers: url, ...who(as) }),
    urlFor: (as = NATS_ADMIN_USER) => {
      const c = who(as);
      return c ? `nats://${encodeURIComponent(c.user)}:${encodeURIComponent(c.pass)}@127.0.0.1:${port}` : url;
    },
    envFor: (service) => {
      const c = who(service);
      return { NATS_URL: url, ...(c ? { NATS_USER: c.user, NATS_PASSWORD: c.pass } : {}) };
    },
    stop,
    start,
    pid: () => child?.pid,
    exited: () => (child ? exitOf(child) : Promise.resolve({ code: null, signal: null })),
    dispose: async () => {
      await stop();
      if (temp) rmSync(storeDir, { recursive: true, force: true });
    },
  };
}

async function waitForPort(port: number, child: ChildProcess, output: () => string) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (hasExited(child))
      throw new Error(`nats-server exited with ${child.exitCode ?? child.signalCode}: ${output()}`);
    const up = await new Promise<boolean>((resolve) => {
      const s = netConnect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (up) return;
    if (Date.now() > deadline) throw new Error(`nats-server did not start: ${output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

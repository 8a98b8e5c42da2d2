import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { WORKSPACE_ROOT, freePort, removePostgresDir } from '@flightdeck/testing';
import { until } from './http';

export interface Launched {
  gatewayUrl: string;
  /** the gateway's operations port: health, metrics, API docs */
  gatewayOpsUrl: string;
  /** operations (health) ports of the other services, as npm start numbers them from FLIGHTDECK_SERVICE_PORT_BASE */
  servicePorts: Record<'deployment-orchestrator' | 'builder' | 'log-ingest' | 'environment-manager', number>;
  token: string;
  dataDir: string;
  /** the edge: apps by Host header */
  edgePort: number;
  /** nats-server's client port, one per node of a cluster (FLIGHTDECK_NATS_CLUSTER) */
  natsPorts: number[];
  /** the launcher's own pid */
  pid: number;
  output: string[];
  /** Ctrl-C, then the data dir removed (`keepData`: left as it is, e.g. to back it up and start again on it) */
  stop(opts?: { keepData?: boolean }): Promise<void>;
}

// `npm start` as a user runs it: the launcher process, its own Postgres and nats-server under a
// data dir inside a root-only directory (as `mktemp -d` makes one: mode 0700), given nothing of
// this shell but PATH, HOME and the machine's trust settings. `dataDir`: start on an existing one
// (a restart, a restored backup) instead of a new one.
export async function startLauncher(extraEnv: Record<string, string> = {}, opts: { dataDir?: string } = {}): Promise<Launched> {
  const closed = opts.dataDir ? dirname(opts.dataDir) : mkdtempSync(join(tmpdir(), 'fd-launch-'));
  if (!opts.dataDir) chmodSync(closed, 0o700);
  const dataDir = opts.dataDir ?? join(closed, 'data');
  // distinct free ports: freePort does not hold a port, so two picks may return the same one
  const base = await freeRun(5);
  const taken = new Set([base, base + 1, base + 2, base + 3, base + 4]);
  const pick = async () => {
    for (;;) {
      const p = await freePort();
      if (!taken.has(p)) return taken.add(p), p;
    }
  };
  const [gateway, pg, edge, router] = [await pick(), await pick(), await pick(), await pick()];
  // a NATS cluster (FLIGHTDECK_NATS_CLUSTER) takes that many consecutive client ports
  const natsNodes = Number(extraEnv.FLIGHTDECK_NATS_CLUSTER ?? 1);
  let nats = await pick();
  if (natsNodes > 1) {
    const run = (b: number) => Array.from({ length: natsNodes }, (_, i) => b + i);
    do nats = await freeRun(natsNodes);
    while (run(nats).some((p) => taken.has(p)));
    run(nats).forEach((p) => taken.add(p));
  }
  const pass = ['PATH', 'HOME', 'LANG', 'NODE_EXTRA_CA_CERTS', 'SSL_CERT_FILE'];
  const env: Record<string, string> = {
    FLIGHTDECK_DATA_DIR: dataDir,
    FLIGHTDECK_GATEWAY_PORT: String(gateway),
    FLIGHTDECK_PG_PORT: String(pg),
    FLIGHTDECK_NATS_PORT: String(nats),
    FLIGHTDECK_EDGE_PORT: String(edge),
    FLIGHTDECK_ROUTER_PORT: String(router),
    FLIGHTDECK_SERVICE_PORT_BASE: String(base),
    FLIGHTDECK_SKIP_EXAMPLE: '1',
    LOG_FORMAT: 'json',
    LOG_LEVEL: process.env.E2E_VERBOSE ? 'info' : 'warn',
  };
  for (const k of pass) if (process.env[k]) env[k] = process.env[k]!;
  Object.assign(env, extraEnv);
  const output: string[] = [];
  const child: ChildProcess = spawn(process.execPath, ['-r', '@swc-node/register', 'scripts/start.ts'], {
    cwd: WORKSPACE_ROOT,
    env: { ...env, SWC_NODE_PROJECT: join(WORKSPACE_ROOT, 'tsconfig.json') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const collect = (b: Buffer) => {
    for (const line of b.toString().split('\n')) {
      if (!line) continue;
      output.push(line);
      if (output.length > 3_000) output.shift();
      if (process.env.E2E_VERBOSE) console.log(line);
    }
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const stop = async ({ keepData = false } = {}) => {
    process.removeListener('exit', killOnExit);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      await exited;
      clearTimeout(timer);
    }
    if (keepData) return;
    // as root, the Postgres user cannot enter the 0700 dir: the cluster lives elsewhere, linked from here
    removePostgresDir(join(dataDir, 'postgres'));
    rmSync(closed, { recursive: true, force: true });
  };
  try {
    await Promise.race([
      until('the launcher to report every service ready', async () => output.some((l) => l.includes('services ready')), 240_000, 250),
      exited.then((code) => Promise.reject(new Error(`the launcher exited (${code})`))),
    ]);
  } catch (e) {
    await stop();
    throw new Error(`${(e as Error).message}\n${output.slice(-60).join('\n')}`);
  }
  const token = extraEnv.FLIGHTDECK_ADMIN_TOKEN ?? readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
  const servicePorts = { 'deployment-orchestrator': base, builder: base + 1, 'log-ingest': base + 2, 'environment-manager': base + 3 };
  return {
    gatewayUrl: `http://127.0.0.1:${gateway}`,
    gatewayOpsUrl: `http://127.0.0.1:${base + 4}`,
    servicePorts,
    token,
    dataDir,
    edgePort: edge,
    natsPorts: Array.from({ length: natsNodes }, (_, i) => nats + i),
    pid: child.pid!,
    output,
    stop,
  };
}

// n consecutive free ports (npm start numbers the services' health ports from one base)
async function freeRun(n: number): Promise<number> {
  for (let tries = 0; tries < 50; tries++) {
    const base = await freePort();
    let free = true;
    for (let p = base + 1; p < base + n && free; p++) free = await isFree(p);
    if (free) return base;
  }
  throw new Error(`no ${n} consecutive free ports`);
}

const isFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });

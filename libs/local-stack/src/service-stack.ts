import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { SERVICE_NAMES, type ServiceName } from '@flightdeck/contracts';
import { SERVICE_SCHEMAS, provisionServiceDatabase, serviceDatabaseUrl, serviceRole } from '@flightdeck/persistence';
import { freePort } from '@flightdeck/runtime';

export const WORKSPACE_ROOT = resolve(__dirname, '../../..');

export type ServicePasswords = Partial<Record<ServiceName, string>>;

// Creates (or updates) each service's role and schema; returns each service's own DATABASE_URL.
export async function provisionServices(
  adminUrl: string,
  passwords: ServicePasswords = {},
): Promise<{ urls: Record<ServiceName, string>; passwords: Record<ServiceName, string> }> {
  const urls = {} as Record<ServiceName, string>;
  const used = {} as Record<ServiceName, string>;
  for (const name of SERVICE_NAMES) {
    const schema = SERVICE_SCHEMAS[name];
    const password = passwords[name] ?? randomBytes(18).toString('base64url');
    await provisionServiceDatabase(adminUrl, { schema, role: serviceRole(schema), password });
    urls[name] = serviceDatabaseUrl(adminUrl, { role: serviceRole(schema), password });
    used[name] = password;
  }
  return { urls, passwords: used };
}

export interface ServiceProcess {
  name: ServiceName;
  /** the port it serves on: the gateway's public port (API, Socket.IO), the others' HTTP_PORT */
  port: number;
  /** its operations port (HTTP_PORT: health, metrics; the gateway's docs too), where waitForReady asks */
  healthPort: number;
  child: ChildProcess;
  /** SIGTERM, then SIGKILL after the grace period */
  stop(graceMs?: number): Promise<void>;
  exited: Promise<number | null>;
}

export const portVariable = (name: ServiceName) => (name === 'gateway' ? 'FLIGHTDECK_GATEWAY_PORT' : 'HTTP_PORT');

// freePort holds nothing: two picks in a row may return the same port
const anotherFreePort = async (than: number) => {
  for (;;) {
    const p = await freePort();
    if (p !== than) return p;
  }
};

// Runs a service from source, as `npm start` does: node + swc, no build step. The gateway gets a
// second port for its operations endpoints (`healthPort`, its HTTP_PORT).
export async function spawnService(
  name: ServiceName,
  env: Record<string, string | undefined>,
  opts: { port?: number; healthPort?: number; onOutput?: (line: string) => void } = {},
): Promise<ServiceProcess> {
  const port = opts.port ?? (await freePort());
  const healthPort = name === 'gateway' ? (opts.healthPort ?? (await anotherFreePort(port))) : port;
  const ports = name === 'gateway' ? { FLIGHTDECK_GATEWAY_PORT: String(port), HTTP_PORT: String(healthPort) } : { HTTP_PORT: String(port) };
  const child = spawn(process.execPath, ['-r', '@swc-node/register', join('apps', name, 'src', 'main.ts')], {
    cwd: WORKSPACE_ROOT,
    env: { ...env, ...ports, SWC_NODE_PROJECT: join(WORKSPACE_ROOT, 'tsconfig.json') },
    stdio: ['ignore', 'pipe', 'pipe'],
    // own process group: a terminal's Ctrl-C reaches the launcher, which stops things in order
    detached: true,
  });
  const forward = (buf: Buffer) => {
    for (const line of buf.toString().split('\n')) if (line) opts.onOutput?.(line);
  };
  child.stdout?.on('data', forward);
  child.stderr?.on('data', forward);
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  // a supervised service may be started many times: only a live one keeps its listener
  void exited.then(() => process.removeListener('exit', killOnExit));
  return {
    name,
    port,
    healthPort,
    child,
    exited,
    stop: async (graceMs = 15_000) => {
      process.removeListener('exit', killOnExit);
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

// Resolves once GET /health/ready answers 200.
export async function waitForReady(port: number, timeoutMs = 60_000, exited?: Promise<unknown>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let dead = false;
  void exited?.then(() => (dead = true));
  while (Date.now() < deadline) {
    if (dead) throw new Error(`service on port ${port} exited before it was ready`);
    try {
      // bounded: whatever holds the port may accept and never answer (another program on it)
      const res = await fetch(`http://127.0.0.1:${port}/health/ready`, { signal: AbortSignal.timeout(2_000) });
      await res.arrayBuffer();
      if (res.status === 200) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`service on port ${port} not ready after ${timeoutMs} ms`);
}

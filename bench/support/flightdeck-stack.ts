import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { SERVICE_NAMES, type ServiceName } from '@flightdeck/contracts';
import { type ServiceProcess, freePort, spawnService, waitForReady } from '@flightdeck/local-stack';
import type { BenchContext } from '../scenario';
import { raceAbort } from './abortable';
import { RestApi } from './rest-api';
import { killProcessesUnder } from './stray-processes';
import { networkEnvironment } from '../../apps/builder/src/build/network-trust';

const READY_TIMEOUT_MS = 120_000;
const KEPT_OUTPUT_LINES = 400;

export interface FlightdeckStack {
  api: RestApi;
  gatewayUrl: string;
  token: string;
  edgePort: number;
  /** FLIGHTDECK_DATA_DIR: work dirs, artifacts, releases */
  dataDir: string;
  /** the pid of each service started */
  pids: Partial<Record<ServiceName, number>>;
  /** the services' last output lines, for a failure's report */
  recentOutput(service?: ServiceName): string[];
  /** one more replica of a service (its settings, then `env` on top), ready; stopped with the stack */
  addReplica(name: ServiceName, env?: Record<string, string>): Promise<ServiceProcess>;
  /** stops the services, then whatever they started that is still running; safe to call twice */
  stop(): Promise<void>;
}

export interface StackOptions {
  /** the services to run (all five by default), started in SERVICE_NAMES order */
  services?: readonly ServiceName[];
  /** settings on top of a service's defaults */
  env?: Partial<Record<ServiceName, Record<string, string>>>;
}

// The five services as child processes from source, as `npm start` runs them, against the runner's
// Postgres and nats-server, every port free. Stopped when the scenario's budget runs out, and
// their releases killed even when the bench process itself exits first.
export async function startFlightdeck(ctx: BenchContext, opts: StackOptions = {}): Promise<FlightdeckStack> {
  const dataDir = join(ctx.workDir, 'flightdeck-data');
  mkdirSync(dataDir, { recursive: true });
  const token = `fdk_${randomBytes(24).toString('base64url')}`;
  const edgePort = await freePort();
  const ports = {} as Record<ServiceName, number>;
  for (const name of SERVICE_NAMES) ports[name] = await freePort();
  const own: Record<ServiceName, Record<string, string>> = {
    gateway: { FLIGHTDECK_ADMIN_TOKEN: token },
    'environment-manager': { FLIGHTDECK_SECRET_KEY: randomBytes(32).toString('base64') },
    'deployment-orchestrator': {},
    // and the machine's network trust, as npm start gives it
    builder: { ...networkEnvironment(process.env), FLIGHTDECK_EDGE_PORT: String(edgePort) },
    'log-ingest': {},
  };

  const output: string[] = [];
  const services: ServiceProcess[] = [];
  const killStrays = () => killProcessesUnder(dataDir);
  process.once('exit', killStrays);
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      await Promise.all(services.map((s) => s.stop(10_000)));
      const strays = killStrays();
      if (strays.length) ctx.log(`killed ${strays.length} process(es) the builder left running: ${strays.join(', ')}`);
      process.removeListener('exit', killStrays);
    })());
  const onAbort = () => void stop();
  ctx.signal.addEventListener('abort', onAbort, { once: true });

  const envOf = (name: ServiceName, extra: Record<string, string> = {}) => ({
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    LANG: process.env.LANG,
    NODE_ENV: 'production',
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
    LOG_FORMAT: 'json',
    // the service's own NATS user, as in production
    ...ctx.nats.envFor(name),
    DATABASE_URL: ctx.databaseUrls[name],
    HTTP_HOST: '127.0.0.1',
    FLIGHTDECK_DATA_DIR: dataDir,
    ...own[name],
    ...opts.env?.[name],
    ...extra,
  });
  const spawnOne = (name: ServiceName, env: Record<string, string | undefined>, port?: number) =>
    spawnService(name, env, {
      port,
      onOutput: (line) => {
        output.push(`${name} | ${line}`);
        if (output.length > KEPT_OUTPUT_LINES) output.shift();
        if (process.env.BENCH_VERBOSE) console.log(`${name} | ${line}`);
      },
    });
  const ready = (list: ServiceProcess[]) =>
    raceAbort(
      Promise.all(
        list.map((s) =>
          waitForReady(s.healthPort, READY_TIMEOUT_MS, s.exited).catch((e: Error) => {
            const last = output.filter((l) => l.startsWith(`${s.name} |`)).slice(-30);
            throw new Error(`${s.name}: ${e.message}\n${last.join('\n')}`);
          }),
        ),
      ),
      ctx.signal,
    );

  try {
    for (const name of SERVICE_NAMES.filter((n) => !opts.services || opts.services.includes(n))) {
      services.push(await spawnOne(name, envOf(name), ports[name]));
    }
    await ready(services);
  } catch (e) {
    await stop();
    throw e;
  }

  const gatewayUrl = `http://127.0.0.1:${ports.gateway}`;
  return {
    api: new RestApi(gatewayUrl, token),
    gatewayUrl,
    token,
    edgePort,
    dataDir,
    pids: Object.fromEntries(services.map((s) => [s.name, s.child.pid])),
    addReplica: async (name, env = {}) => {
      const replica = await spawnOne(name, envOf(name, env));
      services.push(replica);
      await ready([replica]);
      return replica;
    },
    recentOutput: (service) => (service ? output.filter((l) => l.startsWith(`${service} |`)) : [...output]),
    stop: async () => {
      ctx.signal.removeEventListener('abort', onAbort);
      await stop();
    },
  };
}

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SERVICE_NAMES, type ServiceName } from '@flightdeck/contracts';
import { type ServiceProcess, type TestInfra, freePorts, spawnService, startTestInfra, waitForReady } from '@flightdeck/testing';
import { networkEnvironment } from '../../apps/builder/src/build/network-trust';

export interface TestStack {
  infra: TestInfra;
  gatewayUrl: string;
  edgePort: number;
  token: string;
  dataDir: string;
  services: Map<ServiceName, ServiceProcess>;
  start(name: ServiceName): Promise<ServiceProcess>;
  stop(): Promise<void>;
}

// The five services as real processes against a real Postgres and nats-server, as `npm start` runs them.
export async function startStack(extraEnv: Partial<Record<ServiceName, Record<string, string>>> = {}): Promise<TestStack> {
  const infra = await startTestInfra();
  const dataDir = mkdtempSync(join(tmpdir(), 'fd-stack-'));
  const token = `fdk_${randomBytes(24).toString('base64url')}`;
  // all different: two freePort calls in a row may answer the same port
  const [edgePort, ...servicePorts] = await freePorts(1 + SERVICE_NAMES.length);
  const ports = new Map<ServiceName, number>(SERVICE_NAMES.map((name, i) => [name, servicePorts[i]]));
  const own: Record<ServiceName, Record<string, string>> = {
    gateway: { FLIGHTDECK_ADMIN_TOKEN: token },
    'environment-manager': { FLIGHTDECK_SECRET_KEY: randomBytes(32).toString('base64') },
    'deployment-orchestrator': {},
    // and the machine's network trust, as npm start gives it: builds install from the registry through it
    builder: { ...networkEnvironment(process.env), FLIGHTDECK_EDGE_PORT: String(edgePort), FLIGHTDECK_DATA_DIR: dataDir },
    'log-ingest': {},
  };
  const services = new Map<ServiceName, ServiceProcess>();
  const output: string[] = [];
  const start = async (name: ServiceName) => {
    const env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      ...infra.envFor(name, { ...own[name], ...(extraEnv[name] ?? {}) }),
    };
    const svc = await spawnService(name, env, {
      port: ports.get(name),
      onOutput: (line) => {
        output.push(`${name} | ${line}`);
        if (output.length > 2_000) output.shift();
        if (process.env.E2E_VERBOSE) console.log(`${name} | ${line}`);
      },
    });
    services.set(name, svc);
    try {
      await waitForReady(svc.healthPort, 90_000, svc.exited);
    } catch (e) {
      throw new Error(`${(e as Error).message}\n${output.filter((l) => l.startsWith(name)).slice(-40).join('\n')}`);
    }
    return svc;
  };
  try {
    await Promise.all(SERVICE_NAMES.map(start));
  } catch (e) {
    await Promise.all([...services.values()].map((s) => s.stop(5_000)));
    await infra.stop();
    throw e;
  }
  return {
    infra,
    gatewayUrl: `http://127.0.0.1:${ports.get('gateway')}`,
    edgePort,
    token,
    dataDir,
    services,
    start,
    stop: async () => {
      await Promise.all([...services.values()].map((s) => s.stop()));
      await infra.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

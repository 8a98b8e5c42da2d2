import leven from 'leven';
import type { z } from 'zod';
import type { ServiceName } from '@flightdeck/contracts';
import { BuilderEnv } from '../apps/builder/src/config/builder.config';
import { DeploymentOrchestratorEnv } from '../apps/deployment-orchestrator/src/config/deployment-orchestrator.config';
import { EnvironmentManagerEnv } from '../apps/environment-manager/src/config/environment-manager.config';
import { GatewayEnv } from '../apps/gateway/src/config/gateway.config';
import { LogIngestEnv } from '../apps/log-ingest/src/config/log-ingest.config';
import { StackSettings } from './stack-settings';

// Each service's settings, from the schema the service itself parses at boot: the one description
// of what it accepts, which also decides what `npm start` forwards to it.
export const SERVICE_SETTINGS: Record<ServiceName, z.AnyZodObject> = {
  gateway: GatewayEnv,
  'deployment-orchestrator': DeploymentOrchestratorEnv,
  builder: BuilderEnv,
  'log-ingest': LogIngestEnv,
  'environment-manager': EnvironmentManagerEnv,
};

// Set by the launcher for every service whatever the shell says: its own database role, NATS user,
// ports and data dir (an operator's DATABASE_URL or NATS_URL means the servers to use, not a
// service's own URL), and the secrets it keeps in the data dir.
export const LAUNCHER_OWNED = new Set([
  'DATABASE_URL',
  'NATS_URL',
  'NATS_USER',
  'NATS_PASSWORD',
  'HTTP_PORT',
  'HTTP_HOST',
  'FLIGHTDECK_GATEWAY_PORT',
  'FLIGHTDECK_EDGE_PORT',
  'FLIGHTDECK_EDGE_ENABLED',
  'FLIGHTDECK_ROUTER_PORT',
  'FLIGHTDECK_DATA_DIR',
  'FLIGHTDECK_ADMIN_TOKEN',
  'FLIGHTDECK_SECRET_KEY',
  'FLIGHTDECK_PREVIOUS_SECRET_KEYS',
  'FLIGHTDECK_NATS_AUTH_DIR',
  'FLIGHTDECK_SUPERVISOR_FILE',
  'LOG_LEVEL',
  'LOG_FORMAT',
  'NODE_ENV',
]);

// Launcher-owned, but taken from the operator when set (else generated into the data dir).
export const FROM_OPERATOR_WHEN_SET = new Set(['FLIGHTDECK_ADMIN_TOKEN', 'FLIGHTDECK_SECRET_KEY', 'FLIGHTDECK_PREVIOUS_SECRET_KEYS']);

// Read by tools beside `npm start` (the CLI, tests, npm run nats-config, docker-compose), documented with them.
export const OTHER_SETTINGS = [
  'FLIGHTDECK_PG_BIN',
  'NATS_SERVER_BIN',
  'FLIGHTDECK_PG_USER',
  'FLIGHTDECK_URL',
  'FLIGHTDECK_TOKEN',
  'FLIGHTDECK_BUILD_CA_FILE',
];
const OTHER_PATTERNS = [/^FLIGHTDECK_NATS_PASSWORD_[A-Z_]+$/, /^FLIGHTDECK_NATS_USER_[A-Z_]+$/];

const keysOf = (schema: z.AnyZodObject) => Object.keys(schema.shape);

/** the settings a service takes from the operator's environment under `npm start` */
export const forwardableSettings = (name: ServiceName): string[] =>
  keysOf(SERVICE_SETTINGS[name]).filter((k) => !LAUNCHER_OWNED.has(k));

export function forwardedSettings(name: ServiceName, env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of forwardableSettings(name)) if (env[key] !== undefined && env[key] !== '') out[key] = env[key]!;
  return out;
}

/** every setting name the platform knows: services, launcher, tools */
export const knownSettings = (): Set<string> =>
  new Set([...Object.values(SERVICE_SETTINGS).flatMap(keysOf), ...keysOf(StackSettings), ...OTHER_SETTINGS]);

export const isKnownSetting = (name: string, known = knownSettings()) => known.has(name) || OTHER_PATTERNS.some((p) => p.test(name));

const OURS = /^(FLIGHTDECK_|LOG_INGEST_)/;

/** FLIGHTDECK_* / LOG_INGEST_* variables that no service or tool reads, with the nearest known name */
export function unknownSettings(env: NodeJS.ProcessEnv): { name: string; suggestion?: string }[] {
  const known = knownSettings();
  return Object.keys(env)
    .filter((k) => OURS.test(k) && !isKnownSetting(k, known))
    .sort()
    .map((name) => {
      const [best] = [...known]
        .map((k) => ({ k, d: leven(name, k) }))
        .sort((a, b) => a.d - b.d);
      return best && best.d <= Math.max(2, Math.floor(name.length / 6)) ? { name, suggestion: best.k } : { name };
    });
}

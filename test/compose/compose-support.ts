import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { z } from 'zod';
import type { ServiceName } from '@flightdeck/contracts';
import { migrations as builderMigrations } from '@flightdeck/migrations/builder';
import { migrations as orchestratorMigrations } from '@flightdeck/migrations/deployment-orchestrator';
import { migrations as environmentMigrations } from '@flightdeck/migrations/environment-manager';
import { migrations as gatewayMigrations } from '@flightdeck/migrations/gateway';
import { migrations as logMigrations } from '@flightdeck/migrations/log-ingest';
import { BuilderEnv, loadBuilderConfig } from '../../apps/builder/src/config/builder.config';
import {
  DeploymentOrchestratorEnv,
  loadDeploymentOrchestratorConfig,
} from '../../apps/deployment-orchestrator/src/config/deployment-orchestrator.config';
import {
  EnvironmentManagerEnv,
  loadEnvironmentManagerConfig,
} from '../../apps/environment-manager/src/config/environment-manager.config';
import { GatewayEnv, loadGatewayConfig } from '../../apps/gateway/src/config/gateway.config';
import { LogIngestEnv, loadLogIngestConfig } from '../../apps/log-ingest/src/config/log-ingest.config';
import { parseEnvFile } from './compose-file';

// What the compose specs share: the files they read, each service's real config parser and
// migrations, and the env an operator generates.

export const ROOT = resolve(__dirname, '../..');
export const COMPOSE_FILE = join(ROOT, 'docker-compose.yml');
export const NATS_CONF = join(ROOT, 'deploy/nats/nats.conf');
export const INIT_SCRIPT = join(ROOT, 'deploy/postgres/initdb.d/10-service-roles.sh');

export interface ServiceConfig {
  load: (env: NodeJS.ProcessEnv) => { HTTP_HOST: string };
  schema: z.AnyZodObject;
  /** the variable the service takes its operations port (health, metrics) from */
  portKey: 'HTTP_PORT';
  migrations: unknown[];
}

// Each service's real configuration parser, the one its main.ts calls at boot.
export const SERVICES: Record<ServiceName, ServiceConfig> = {
  gateway: {
    load: loadGatewayConfig,
    schema: GatewayEnv,
    portKey: 'HTTP_PORT',
    migrations: gatewayMigrations,
  },
  'deployment-orchestrator': {
    load: loadDeploymentOrchestratorConfig,
    schema: DeploymentOrchestratorEnv,
    portKey: 'HTTP_PORT',
    migrations: orchestratorMigrations,
  },
  builder: {
    load: loadBuilderConfig,
    schema: BuilderEnv,
    portKey: 'HTTP_PORT',
    migrations: builderMigrations,
  },
  'log-ingest': {
    load: loadLogIngestConfig,
    schema: LogIngestEnv,
    portKey: 'HTTP_PORT',
    migrations: logMigrations,
  },
  'environment-manager': {
    load: loadEnvironmentManagerConfig,
    schema: EnvironmentManagerEnv,
    portKey: 'HTTP_PORT',
    migrations: environmentMigrations,
  },
};

// Settings a service cannot start without: its schema rejects them absent.
export const requiredKeys = (schema: z.AnyZodObject) =>
  Object.entries(schema.shape as Record<string, z.ZodTypeAny>)
    .filter(([, s]) => !s.safeParse(undefined).success)
    .map(([k]) => k);

// What an operator gets from `deploy/compose-env.sh`: the env compose interpolates the file with.
export const generatedEnv = (): Record<string, string> => {
  const dir = mkdtempSync(join(tmpdir(), 'fd-compose-env-'));
  try {
    const file = join(dir, '.env');
    const run = spawnSync('bash', [join(ROOT, 'deploy/compose-env.sh'), file], { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`deploy/compose-env.sh failed: ${run.stderr}`);
    return parseEnvFile(readFileSync(file, 'utf8'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

// top-level `key: value` and `key: value` inside `jetstream { }` of a nats-server config
export const natsSetting = (conf: string, key: string) =>
  new RegExp(`^\\s*${key}\\s*[:=]\\s*"?([^"\\s#]+)"?`, 'm').exec(conf.replace(/#.*$/gm, ''))?.[1];

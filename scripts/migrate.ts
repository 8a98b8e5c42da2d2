// `npm run migrate`: create each service's role and schema, then apply its migrations as that role,
// under the same advisory lock the services take at start-up. Uses DATABASE_URL (a superuser URL) or
// the local stack's Postgres under FLIGHTDECK_DATA_DIR (started for the duration if it isn't running).
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { SERVICE_NAMES, type ServiceName } from '@flightdeck/contracts';
import { SERVICE_SCHEMAS, createServiceDataSource, runMigrationsLocked } from '@flightdeck/persistence';
import { type PostgresServer, provisionServices, startPostgres } from '@flightdeck/local-stack';
import { migrations as builder } from '@flightdeck/migrations/builder';
import { migrations as orchestrator } from '@flightdeck/migrations/deployment-orchestrator';
import { migrations as environments } from '@flightdeck/migrations/environment-manager';
import { migrations as gateway } from '@flightdeck/migrations/gateway';
import { migrations as logs } from '@flightdeck/migrations/log-ingest';
import { loadLocalSecrets, saveLocalSecrets } from './local-secrets';
import { stackSettings } from './stack-settings';

const MIGRATIONS: Record<ServiceName, unknown[]> = {
  gateway,
  'deployment-orchestrator': orchestrator,
  builder,
  'log-ingest': logs,
  'environment-manager': environments,
};

const reachable = async (url: string) => {
  const c = new Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  try {
    await c.connect();
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => undefined);
  }
};

async function main() {
  const settings = stackSettings(process.env);
  const dataDir = resolve(settings.FLIGHTDECK_DATA_DIR);
  const secrets = loadLocalSecrets(dataDir);
  let local: PostgresServer | undefined;
  let adminUrl = settings.DATABASE_URL;
  if (!adminUrl) {
    adminUrl = `postgres://postgres:${encodeURIComponent(secrets.postgresPassword)}@127.0.0.1:${settings.FLIGHTDECK_PG_PORT}/flightdeck`;
    if (!(await reachable(adminUrl))) {
      console.log(`starting the local Postgres in ${join(dataDir, 'postgres')} for the migration`);
      local = await startPostgres({
        dataDir: join(dataDir, 'postgres'),
        port: settings.FLIGHTDECK_PG_PORT,
        superuserPassword: secrets.postgresPassword,
        database: 'flightdeck',
      });
      adminUrl = local.url;
    }
  }
  try {
    const { urls, passwords } = await provisionServices(adminUrl, secrets.servicePasswords);
    saveLocalSecrets(dataDir, { ...secrets, servicePasswords: passwords });
    for (const name of SERVICE_NAMES) {
      const ds = createServiceDataSource({
        url: urls[name],
        schema: SERVICE_SCHEMAS[name],
        entities: [],
        migrations: MIGRATIONS[name] as never,
        poolSize: 2, // the migration advisory lock holds one connection while migrations run on another
      });
      await ds.initialize();
      try {
        const ran = await runMigrationsLocked(ds, SERVICE_SCHEMAS[name]);
        console.log(`${name.padEnd(24)} ${ran.length ? ran.map((m) => m.name).join(', ') : 'up to date'}`);
      } finally {
        await ds.destroy();
      }
    }
  } finally {
    await local?.stop();
  }
}

main().catch((e) => {
  console.error(`migrate failed: ${(e as Error).message}`);
  process.exit(1);
});

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { SERVICE_NAMES, type ServiceName } from '@flightdeck/contracts';
import { SERVICE_SCHEMAS, createServiceDataSource, runMigrationsLocked, serviceRole } from '@flightdeck/persistence';
import { type PostgresServer, startPostgres } from '@flightdeck/testing';
import { environmentOf, loadComposeFile } from './compose-file';
import { COMPOSE_FILE, INIT_SCRIPT, SERVICES, generatedEnv } from './compose-support';

// The compose Postgres, for real: the init script provisions a fresh server, then each service, with
// the DATABASE_URL compose gives it, applies its migrations and is confined to its own schema.
describe('deploy/postgres/initdb.d on a real Postgres', () => {
  const env = generatedEnv();
  const compose = loadComposeFile(COMPOSE_FILE, env);
  let pg: PostgresServer;
  const urlOf = (name: ServiceName) => {
    const u = new URL(environmentOf(compose.services[name]).DATABASE_URL);
    u.hostname = '127.0.0.1';
    u.port = String(pg.port);
    return u.toString();
  };
  // psql sits beside initdb, which is not always on PATH (Debian: /usr/lib/postgresql/<v>/bin)
  const pgBinDirs = [
    process.env.FLIGHTDECK_PG_BIN,
    ...['17', '16', '15', '14'].map((v) => `/usr/lib/postgresql/${v}/bin`),
  ];
  const psqlPath = [process.env.PATH, ...pgBinDirs.filter((d) => d && existsSync(join(d, 'psql')))].join(':');
  const runInitScript = () =>
    spawnSync('bash', [INIT_SCRIPT], {
      encoding: 'utf8',
      env: {
        PATH: psqlPath,
        ...environmentOf(compose.services.postgres),
        PGHOST: '127.0.0.1',
        PGPORT: String(pg.port),
        PGPASSWORD: env.POSTGRES_PASSWORD,
      },
    });

  beforeAll(async () => {
    // password logins over TCP (scram), as in the postgres image: a wrong role password fails
    pg = await startPostgres({
      fast: true,
      database: 'flightdeck',
      superuserPassword: env.POSTGRES_PASSWORD,
    });
  });
  afterAll(async () => {
    await pg?.stop();
  });

  it('provisions every role and schema, and can run again', () => {
    for (let i = 0; i < 2; i++) {
      const run = runInitScript();
      expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
    }
  });

  it("lets each service migrate its own schema with compose's DATABASE_URL", async () => {
    for (const name of SERVICE_NAMES) {
      const schema = SERVICE_SCHEMAS[name];
      const ds = createServiceDataSource({
        url: urlOf(name),
        schema,
        entities: [],
        migrations: SERVICES[name].migrations as never,
        poolSize: 2,
      });
      await ds.initialize();
      try {
        await runMigrationsLocked(ds, schema);
        const [who] = await ds.query('select current_user as role, current_schema() as schema');
        expect(who).toEqual({ role: serviceRole(schema), schema });
        expect(await ds.query(`select count(*)::int as n from "${schema}".migrations`)).toEqual([
          { n: SERVICES[name].migrations.length },
        ]);
      } finally {
        await ds.destroy();
      }
    }
  });

  it("refuses a service role another service's schema, and a wrong password", async () => {
    const gateway = new Client({ connectionString: urlOf('gateway') });
    await gateway.connect();
    try {
      await expect(gateway.query('select count(*) from logs.log_lines')).rejects.toThrow(/permission denied/);
      await expect(gateway.query('create table public.stray (id int)')).rejects.toThrow(/permission denied/);
    } finally {
      await gateway.end();
    }
    const wrong = new URL(urlOf('builder'));
    wrong.password = 'not-the-password';
    const intruder = new Client({ connectionString: wrong.toString() });
    await expect(intruder.connect()).rejects.toThrow(/password authentication failed/);
    await intruder.end().catch(() => undefined);
  });
});

import { Client } from 'pg';
import type { MigrationInterface } from 'typeorm';
import { SERVICE_NAMES, type ServiceName } from '@flightdeck/contracts';
import {
  SERVICE_SCHEMAS,
  createServiceDataSource,
  runMigrationsLocked,
  serviceRole,
} from '@flightdeck/persistence';
import { migrations as builder } from '@flightdeck/migrations/builder';
import { migrations as orchestrator } from '@flightdeck/migrations/deployment-orchestrator';
import { migrations as environments } from '@flightdeck/migrations/environment-manager';
import { migrations as gateway } from '@flightdeck/migrations/gateway';
import { migrations as logs } from '@flightdeck/migrations/log-ingest';
import { type TestInfra, startTestInfra } from '../src';

jest.setTimeout(120_000);

const MIGRATIONS: Record<ServiceName, (new () => MigrationInterface)[]> = {
  gateway,
  'environment-manager': environments,
  'deployment-orchestrator': orchestrator,
  builder,
  'log-ingest': logs,
};
const migrationName = (m: new () => MigrationInterface) => new m().name ?? m.name;

// Each service's database is its own schema behind its own role, and its migrations are safe to
// start on several replicas at once.
describe('per-service databases', () => {
  let infra: TestInfra;

  const asService = async <T>(name: ServiceName, fn: (c: Client) => Promise<T>): Promise<T> => {
    const c = new Client({ connectionString: infra.databaseUrls[name] });
    await c.connect();
    try {
      return await fn(c);
    } finally {
      await c.end();
    }
  };

  beforeAll(async () => {
    infra = await startTestInfra();
  });
  afterAll(async () => {
    await infra?.stop();
  });

  it('two replicas of every service applying migrations at once end with one correct schema', async () => {
    const applyAsReplica = async (name: ServiceName) => {
      const ds = createServiceDataSource({
        url: infra.databaseUrls[name],
        schema: SERVICE_SCHEMAS[name],
        entities: [],
        migrations: MIGRATIONS[name],
        poolSize: 3,
      });
      await ds.initialize();
      try {
        return (await runMigrationsLocked(ds, SERVICE_SCHEMAS[name])).map((m) => m.name);
      } finally {
        await ds.destroy();
      }
    };
    // ten start-ups at once: two replicas per service
    const ran = await Promise.all(
      SERVICE_NAMES.flatMap((name) => [applyAsReplica(name), applyAsReplica(name)]),
    );

    const admin = new Client({ connectionString: infra.postgres.url });
    await admin.connect();
    try {
      for (const [i, name] of SERVICE_NAMES.entries()) {
        const schema = SERVICE_SCHEMAS[name];
        const expected = MIGRATIONS[name].map(migrationName);
        // one replica applied everything, the other found nothing left to do
        const [first, second] = [ran[2 * i], ran[2 * i + 1]];
        expect([first, second].map((r) => r.length).sort()).toEqual([0, expected.length]);

        const recorded = await admin.query<{ name: string; n: string }>(
          `select name, count(*) as n from "${schema}".migrations group by name order by name`,
        );
        expect({ schema, recorded: recorded.rows.map((r) => `${r.name} x${r.n}`) }).toEqual({
          schema,
          recorded: [...expected].sort().map((n) => `${n} x1`),
        });
        const tables = await admin.query<{ table_name: string }>(
          `select table_name from information_schema.tables where table_schema = $1`,
          [schema],
        );
        expect(tables.rows.map((t) => t.table_name)).toEqual(
          expect.arrayContaining(['migrations', 'outbox', 'processed_messages']),
        );
      }
    } finally {
      await admin.end();
    }

    // a later start-up has nothing to apply
    expect(await applyAsReplica('deployment-orchestrator')).toEqual([]);
  });

  it("gives each service's role its own schema and no access to any other", async () => {
    for (const name of SERVICE_NAMES) {
      const schema = SERVICE_SCHEMAS[name];
      await asService(name, async (c) => {
        await c.query(`create table "${schema}".private_notes (note text not null)`);
        await c.query(`insert into "${schema}".private_notes values ($1)`, [`secret of ${name}`]);
        // its own schema is its search_path: unqualified names land there
        expect((await c.query(`select note from private_notes`)).rows).toEqual([
          { note: `secret of ${name}` },
        ]);
      });
    }

    for (const name of SERVICE_NAMES) {
      await asService(name, async (c) => {
        for (const other of SERVICE_NAMES.filter((o) => o !== name)) {
          const otherSchema = SERVICE_SCHEMAS[other];
          await expect(c.query(`select note from "${otherSchema}".private_notes`)).rejects.toMatchObject({
            code: '42501',
            message: `permission denied for schema ${otherSchema}`,
          });
          await expect(
            c.query(`insert into "${otherSchema}".private_notes values ('forged')`),
          ).rejects.toMatchObject({
            code: '42501',
          });
        }
        // nor a shared table in public that others could read
        await expect(c.query(`create table public.shared_notes (note text)`)).rejects.toMatchObject({
          code: '42501',
        });
      });
    }

    // and no privilege hides elsewhere: no role may even look up names in another's schema
    const admin = new Client({ connectionString: infra.postgres.url });
    await admin.connect();
    try {
      const leaks = await admin.query(
        `select r.rolname, n.nspname from pg_roles r cross join pg_namespace n
          where r.rolname = any($1) and n.nspname = any($2)
            and n.nspname <> substr(r.rolname, length('flightdeck_') + 1)
            and has_schema_privilege(r.oid, n.oid, 'USAGE')`,
        [SERVICE_NAMES.map((n) => serviceRole(SERVICE_SCHEMAS[n])), Object.values(SERVICE_SCHEMAS)],
      );
      expect(leaks.rows).toEqual([]);
      const notes = await admin.query(`select note from "${SERVICE_SCHEMAS.builder}".private_notes`);
      expect(notes.rows).toEqual([{ note: 'secret of builder' }]);
    } finally {
      await admin.end();
    }
  });
});

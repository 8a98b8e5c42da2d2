import { Client } from 'pg';

export interface ServiceDatabase {
  schema: string;
  role: string;
  password: string;
}

const ident = (s: string) => {
  if (!/^[a-z_][a-z0-9_]*$/.test(s)) throw new Error(`unsafe SQL identifier: ${s}`);
  return `"${s}"`;
};
const literal = (s: string) => `'${s.replace(/'/g, "''")}'`;

// Run with a superuser URL: one login role per service owning one schema. The role gets no rights
// on any other schema, so "a service never reads another's schema" holds by construction.
export async function provisionServiceDatabase(adminUrl: string, db: ServiceDatabase): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`select pg_advisory_lock(hashtext('flightdeck:provision'))`);
    const exists = await client.query('select 1 from pg_roles where rolname = $1', [db.role]);
    const verb = exists.rowCount ? 'alter' : 'create';
    await client.query(
      `${verb} role ${ident(db.role)} with login password ${literal(db.password)} nosuperuser nocreatedb nocreaterole`,
    );
    await client.query(`create schema if not exists ${ident(db.schema)} authorization ${ident(db.role)}`);
    await client.query(`alter schema ${ident(db.schema)} owner to ${ident(db.role)}`);
    await client.query(`revoke create on schema public from ${ident(db.role)}`);
    await client.query(`alter role ${ident(db.role)} set search_path = ${ident(db.schema)}`);
  } finally {
    await client.query(`select pg_advisory_unlock(hashtext('flightdeck:provision'))`).catch(() => undefined);
    await client.end();
  }
}

// The service's own URL: same server and database as the admin URL, the service's role.
export const serviceDatabaseUrl = (adminUrl: string, db: Pick<ServiceDatabase, 'role' | 'password'>): string => {
  const u = new URL(adminUrl);
  u.username = db.role;
  u.password = db.password;
  return u.toString();
};

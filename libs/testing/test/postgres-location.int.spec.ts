import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Client } from 'pg';
import { MOVED_CLUSTERS_DIR, canReach, postgresLocation, postgresUser, removePostgresDir, startPostgres } from '../src';

jest.setTimeout(60_000);

const query = async (url: string, sql: string) => {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(sql)).rows;
  } finally {
    await c.end();
  }
};

// As root, Postgres runs as an unprivileged user, which cannot enter a root-only directory: a clone
// under /root, a data dir under a `mktemp -d` dir.
const asRoot = postgresUser() ? describe : describe.skip;

asRoot('Postgres under a directory its user cannot enter', () => {
  const user = postgresUser()!;
  let closed: string;
  beforeEach(() => {
    closed = mkdtempSync(join(tmpdir(), 'fd-closed-'));
    chmodSync(closed, 0o700);
  });
  afterEach(() => {
    removePostgresDir(join(closed, 'data', 'postgres'));
    rmSync(closed, { recursive: true, force: true });
  });

  it('starts, answers and keeps its data across a restart, from a working directory its user cannot enter either', async () => {
    expect(canReach(user, closed)).toBe(false);
    const requested = join(closed, 'data', 'postgres');
    const cwd = process.cwd();
    const pg = await (async () => {
      process.chdir(closed);
      try {
        return await startPostgres({ dataDir: requested, fast: true, database: 'flightdeck', superuserPassword: 'pw-0123456789' });
      } finally {
        process.chdir(cwd);
      }
    })();
    try {
      await query(pg.url, 'create table kept (v text); insert into kept values ($$survives$$)');
      expect(pg.movedFrom).toBe(requested);
      // the cluster is where its user can reach it, owned by it, closed to everyone else
      expect(dirname(dirname(pg.dataDir))).toBe(MOVED_CLUSTERS_DIR);
      const moved = statSync(dirname(pg.dataDir));
      expect([moved.uid, moved.mode & 0o777]).toEqual([user.uid, 0o700]);
      expect(statSync(MOVED_CLUSTERS_DIR).mode & 0o777).toBe(0o711);
      // and the operator finds it from the data dir
      expect(lstatSync(requested).isSymbolicLink()).toBe(true);
      expect(readlinkSync(requested)).toBe(dirname(pg.dataDir));
      // nothing of the closed dir was opened up
      expect(statSync(closed).mode & 0o777).toBe(0o700);
    } finally {
      await pg.stop();
    }

    const again = await startPostgres({ dataDir: requested, fast: true, database: 'flightdeck', superuserPassword: 'pw-0123456789' });
    try {
      expect(again.dataDir).toBe(pg.dataDir);
      expect(await query(again.url, 'select v from kept')).toEqual([{ v: 'survives' }]);
    } finally {
      await again.stop();
    }
  });

  it('uses the directory asked for when its user can reach it', () => {
    const open = mkdtempSync(join(tmpdir(), 'fd-open-'));
    chmodSync(open, 0o755);
    try {
      expect(postgresLocation(join(open, 'pg'), user)).toEqual({ root: join(open, 'pg') });
      expect(statSync(join(open, 'pg')).uid).toBe(user.uid);
    } finally {
      rmSync(open, { recursive: true, force: true });
    }
  });

  it('does not move a directory that already holds something, and says why', () => {
    const requested = join(closed, 'data', 'postgres');
    mkdirSync(requested, { recursive: true });
    writeFileSync(join(requested, 'PG_VERSION'), '16');
    expect(() => postgresLocation(requested, user)).toThrow(/cannot reach .*not empty, so it is not moved/);
  });
});

import { spawn } from 'node:child_process';
import { existsSync, rmSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { connect } from 'nats';
import { Client } from 'pg';
import { WORKSPACE_ROOT, eventually, postgresUser, startNats, startPostgres } from '../src';

jest.setTimeout(60_000);

// Timers still armed keep jest's event loop alive after the last test ("Jest did not exit").
const armedTimers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

describe('throwaway servers for tests', () => {
  it('restarts nats-server on the same port with its JetStream data, and stops without leftovers', async () => {
    const nats = await startNats();
    try {
      let nc = await connect(nats.connectOptions());
      const jsm = await nc.jetstreamManager();
      await jsm.streams.add({ name: 'KEEP', subjects: ['keep.>'] });
      await nc.jetstream().publish('keep.one', new TextEncoder().encode('survives'));
      await nc.close();

      await nats.stop();
      await expect(connect({ ...nats.connectOptions(), reconnect: false, timeout: 500 })).rejects.toThrow();
      await nats.start();

      nc = await connect(nats.connectOptions());
      const m = await (await nc.jetstreamManager()).streams.getMessage('KEEP', { last_by_subj: 'keep.one' });
      expect(new TextDecoder().decode(m.data)).toBe('survives');
      await nc.close();
    } finally {
      const timers = armedTimers();
      const started = Date.now();
      await nats.dispose();
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(armedTimers()).toBeLessThanOrEqual(timers);
    }
    expect(existsSync(nats.storeDir)).toBe(false);
  });

  it('runs Postgres as an unprivileged user when the tests run as root, and removes it on stop', async () => {
    const pg = await startPostgres({ fast: true });
    try {
      const c = new Client({ connectionString: pg.url });
      await c.connect();
      const { rows } = await c.query(`select current_setting('data_directory') as dir`);
      await c.end();
      expect(rows[0].dir).toBe(pg.dataDir);
      const runAs = postgresUser();
      // Postgres refuses to start as root: when we are root it must own its data as another user
      if (runAs) expect(statSync(pg.dataDir).uid).toBe(runAs.uid);
      else expect(statSync(pg.dataDir).uid).toBe(process.getuid?.());
    } finally {
      const timers = armedTimers();
      await pg.stop();
      expect(armedTimers()).toBeLessThanOrEqual(timers);
    }
    expect(existsSync(dirname(pg.dataDir))).toBe(false);
  });

  it('copies each test cluster from one template, yet each has its own data, password and owner', async () => {
    const [a, b] = await Promise.all([startPostgres({ fast: true, superuserPassword: 'first-Pw1' }), startPostgres({ fast: true, superuserPassword: 'second-Pw2' })]);
    try {
      const query = async (url: string, sql: string) => {
        const c = new Client({ connectionString: url });
        await c.connect();
        try {
          return (await c.query(sql)).rows;
        } finally {
          await c.end();
        }
      };
      await query(a.url, 'create table only_in_a (id int)');
      expect(await query(b.url, `select to_regclass('only_in_a') as t`)).toEqual([{ t: null }]);
      // TCP logins need each one's own password, not the other's
      await expect(query(a.url.replace('first-Pw1', 'second-Pw2'), 'select 1')).rejects.toThrow(/password authentication failed/);
      await expect(query(b.url.replace('second-Pw2', 'first-Pw1'), 'select 1')).rejects.toThrow(/password authentication failed/);
      const runAs = postgresUser();
      for (const pg of [a, b]) expect(statSync(pg.dataDir).uid).toBe(runAs ? runAs.uid : process.getuid?.());
      expect(statSync(a.dataDir).mode & 0o777).toBe(0o700);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  it('a process killed with SIGKILL (no exit handler runs) leaves no Postgres or nats-server running', async () => {
    const program = `
      const { startNats, startPostgres } = require('@flightdeck/local-stack');
      (async () => {
        const [pg, nats] = await Promise.all([startPostgres({ fast: true }), startNats()]);
        console.log(JSON.stringify({ pids: [pg.pid, nats.pid()], dirs: [dirname(pg.dataDir), nats.storeDir] }));
      })();
      const { dirname } = require('node:path');
      setInterval(() => undefined, 60_000);`;
    const owner = spawn(process.execPath, ['-r', '@swc-node/register', '-e', program], { cwd: WORKSPACE_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    const started = await new Promise<{ pids: number[]; dirs: string[] }>((resolve, reject) => {
      createInterface({ input: owner.stdout! }).once('line', (l) => resolve(JSON.parse(l)));
      owner.once('exit', (code) => reject(new Error(`the owner exited with ${code} before starting its servers`)));
    });
    const alive = (pid: number) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    try {
      expect(started.pids.every(alive)).toBe(true);
      owner.kill('SIGKILL');
      await eventually('both servers to be gone', async () => (started.pids.some(alive) ? undefined : true), { timeoutMs: 20_000 });
    } finally {
      for (const pid of started.pids) if (alive(pid)) process.kill(pid, 'SIGKILL');
      for (const dir of started.dirs) rmSync(dir, { recursive: true, force: true });
    }
  });
});

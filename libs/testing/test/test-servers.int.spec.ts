import { existsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { connect } from 'nats';
import { Client } from 'pg';
import { postgresUser, startNats, startPostgres } from '../src';

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
});

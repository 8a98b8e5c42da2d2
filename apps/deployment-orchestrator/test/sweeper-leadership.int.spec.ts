import type { INestApplication } from '@nestjs/common';
import { eventually, sleep } from '@flightdeck/testing';
import { SweeperLeadership } from '../src/timeouts/sweeper-leadership';
import { OrchestratorHarness } from './support/orchestrator-harness';

jest.setTimeout(120_000);

const SETTINGS = { FLIGHTDECK_SWEEP_INTERVAL_MS: '200', FLIGHTDECK_DEPLOY_TIMEOUT_MS: '1500' };

// Two replicas compete for the sweeps (the harness's own app sweeps once an hour: it stays out).
describe('one sweeping replica', () => {
  let h: OrchestratorHarness;
  let replicas: INestApplication[];
  const leaders = () => replicas.filter((a) => a.get(SweeperLeadership).isLeader);

  beforeAll(async () => {
    h = await OrchestratorHarness.start({ FLIGHTDECK_SWEEP_INTERVAL_MS: '3600000' });
    replicas = [await h.startReplica(SETTINGS), await h.startReplica(SETTINGS)];
  });
  afterAll(async () => {
    for (const r of replicas) await r.close();
    await h?.stop();
  });

  it('sweeps on exactly one replica, and hands over when the leader dies', async () => {
    const first = (await eventually('a leader', async () => (leaders().length === 1 ? leaders()[0] : undefined), { timeoutMs: 10_000 }))!;
    // it stays exactly one over many sweep intervals
    for (let i = 0; i < 10; i++) {
      expect(leaders()).toEqual([first]);
      await sleep(100);
    }

    // the leader dies as with kill -9: its session ends (Postgres frees the lock) and it does no more
    const killed = await h.sql<{ n: number }>(
      `select count(pg_terminate_backend(pid))::int as n from pg_locks where locktype = 'advisory' and granted and pid <> pg_backend_pid()`,
    );
    expect(killed).toEqual([{ n: 1 }]);
    await first.close();
    replicas = replicas.filter((r) => r !== first);
    await eventually('the other replica to take over', async () => leaders().length === 1 || undefined, { timeoutMs: 10_000 });

    // and the sweeps go on: a deployment past its timeout is ended
    const { project } = h.directory.addProject();
    const d = await h.deploy(project.id);
    await h.waitFor(d.id, 'timeout', (x) => x.status === 'timeout', 15_000);
  });
});

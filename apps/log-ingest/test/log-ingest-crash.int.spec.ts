import { randomUUID } from 'node:crypto';
import { type JetStreamManager, type NatsConnection, connect } from 'nats';
import { Client } from 'pg';
import { Durables, type LogLine, Streams, logLinesPublished, subjectFor } from '@flightdeck/contracts';
import { type ServiceProcess, spawnService, waitForReady } from '@flightdeck/local-stack';
import { encodeEvent } from '@flightdeck/messaging';
import { eventually, startTestInfra, type TestInfra } from '@flightdeck/testing';

jest.setTimeout(300_000);

const DEPLOYMENTS = 100;
const LINES_PER_DEPLOYMENT = 10_000;
const LINES_PER_MESSAGE = 500;
const MESSAGES = (DEPLOYMENTS * LINES_PER_DEPLOYMENT) / LINES_PER_MESSAGE;
// acks pipelined, as the builder's publisher keeps them
const WINDOW = 256;

// 1,000,000 lines of 100 deployments building at once, in the builder's envelope, subjects and
// message ids, stored by two log-ingest processes; one is killed with SIGKILL once 40 % of the
// messages are acked (lines committed and not acked come again) and started again. Every
// deployment must end with seq 1..10,000, each once.
describe('log-ingest under a crash, with two replicas', () => {
  let infra: TestInfra;
  let nc: NatsConnection;
  let db: Client;
  const running: ServiceProcess[] = [];

  const replica = async () => {
    const p = await spawnService('log-ingest', infra.envFor('log-ingest'));
    running.push(p);
    await waitForReady(p.healthPort, 60_000, p.exited);
    return p;
  };

  beforeAll(async () => {
    infra = await startTestInfra();
    nc = await connect({ ...infra.nats.connectOptions(), name: 'log-ingest-crash-test' });
    db = new Client({ connectionString: infra.postgres.url });
    await db.connect();
    // one at a time: the first runs the migrations
    await replica();
    await replica();
  });
  afterAll(async () => {
    await Promise.all(running.map((p) => p.stop(10_000)));
    await db?.end();
    await nc?.drain().catch(() => undefined);
    await infra?.stop();
  });

  const ackFloor = async (jsm: JetStreamManager) => (await jsm.consumers.info(Streams.buildLogs.name, Durables.logBatches)).ack_floor.stream_seq;

  it('stores every line exactly once, in 100 concurrent deployments, through a kill -9 and a restart', async () => {
    const jsm = await nc.jetstreamManager();
    const firstSeq = (await jsm.streams.info(Streams.buildLogs.name)).state.last_seq + 1;
    const ids = Array.from({ length: DEPLOYMENTS }, () => randomUUID());
    const start = Date.now() - 60_000;

    const crash = (async () => {
      await eventually('40 % of the messages acked', async () => (await ackFloor(jsm)) >= firstSeq + MESSAGES * 0.4, {
        timeoutMs: 120_000,
        intervalMs: 20,
      });
      const victim = running.shift()!;
      victim.child.kill('SIGKILL');
      await victim.exited;
      await replica();
    })();

    let inFlight = 0;
    let wake: (() => void) | undefined;
    const failures: Error[] = [];
    for (let first = 1; first <= LINES_PER_DEPLOYMENT; first += LINES_PER_MESSAGE) {
      for (const [d, deploymentId] of ids.entries()) {
        const lines: LogLine[] = [];
        for (let seq = first; seq < first + LINES_PER_MESSAGE; seq++) {
          lines.push({ seq, timestamp: new Date(start + d + seq).toISOString(), level: 'info', source: 'build', step: 'build', message: `line ${seq} of ${d}` });
        }
        const msgID = `${deploymentId}:1:${first}`;
        while (inFlight >= WINDOW) await new Promise<void>((r) => (wake = r));
        inFlight++;
        nc.jetstream()
          .publish(subjectFor(logLinesPublished.subject, deploymentId), encodeEvent(logLinesPublished, { deploymentId, lines }, msgID), { msgID, timeout: 60_000 })
          .catch((e: Error) => failures.push(e))
          .finally(() => {
            inFlight--;
            wake?.();
            wake = undefined;
          });
      }
    }
    while (inFlight > 0) await new Promise<void>((r) => (wake = r));
    expect(failures).toEqual([]);
    await crash;

    // every message acked by log-ingest after the commit of its lines (a killed replica's unacked
    // ones come again after JetStream's ack wait)
    const lastSeq = (await jsm.streams.info(Streams.buildLogs.name)).state.last_seq;
    await eventually('every message acked', async () => (await ackFloor(jsm)) >= lastSeq, { timeoutMs: 180_000, intervalMs: 200 });

    const { rows } = await db.query<{ deployments: number; bad: number; total: number }>(
      `select count(*)::int as deployments, sum(n)::int as total,
              count(*) filter (where n <> $1 or distinct_seqs <> $1 or lo <> 1 or hi <> $1)::int as bad
         from (select deployment_id, count(*) as n, count(distinct seq) as distinct_seqs, min(seq) as lo, max(seq) as hi
                 from logs.log_lines where deployment_id = any($2::uuid[]) group by deployment_id) d`,
      [LINES_PER_DEPLOYMENT, ids],
    );
    expect(rows[0]).toEqual({ deployments: DEPLOYMENTS, total: DEPLOYMENTS * LINES_PER_DEPLOYMENT, bad: 0 });
  });
});

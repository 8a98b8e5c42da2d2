import { z } from 'zod';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { defineCommand, defineEvent } from '@flightdeck/contracts';
import { createMessagingTables } from '@flightdeck/persistence';

// A throwaway "service" for the message-layer tests: its own schema and role, like a real one.
export const PROBE_SCHEMA = 'probe';

// Captured by the DEPLOYMENT_EVENTS stream (deployments.evt.>); the token is the test case.
export const probeHappened = defineEvent({
  subject: 'deployments.evt.probe.*',
  data: z.object({ itemId: z.string().uuid(), n: z.number().int() }),
});
export const probeSubject = (token: string) => `deployments.evt.probe.${token}`;

export const probeGreet = defineCommand({
  subject: 'probe.cmd.greet',
  request: z.object({ name: z.string().min(1) }),
  reply: z.object({ greeting: z.string() }),
  timeoutMs: 2_000,
});
// nobody subscribes to this one
export const probeUnserved = defineCommand({
  subject: 'probe.cmd.unserved',
  request: z.object({}),
  reply: z.object({}),
  timeoutMs: 1_000,
});

export class CreateProbeTables1700000000000 implements MigrationInterface {
  name = 'CreateProbeTables1700000000000';

  async up(q: QueryRunner) {
    await createMessagingTables(q, PROBE_SCHEMA);
    // the producer's state
    await q.query(`create table "${PROBE_SCHEMA}".items (id uuid primary key, label text not null)`);
    // the consumer's side effect: one row per handled event, no unique key so a double apply shows
    await q.query(
      `create table "${PROBE_SCHEMA}".received (event_id text not null, item_id uuid not null, n int not null)`,
    );
  }

  async down(q: QueryRunner) {
    await q.query(`drop table "${PROBE_SCHEMA}".received`);
    await q.query(`drop table "${PROBE_SCHEMA}".items`);
  }
}

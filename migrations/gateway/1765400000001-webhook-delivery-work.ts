import type { MigrationInterface, QueryRunner } from 'typeorm';

// What an accepted delivery asked for (push, preview, close-preview), kept with it so that work a
// stopped gateway did not finish is done by a gateway that runs: retry_after is when a sweep may
// take it up again, attempts how often one did.
export class WebhookDeliveryWork1765400000001 implements MigrationInterface {
  name = 'WebhookDeliveryWork1765400000001';

  async up(q: QueryRunner) {
    await q.query(`
      alter table gateway.webhook_deliveries
        add column work jsonb,
        add column retry_after timestamptz,
        add column attempts integer not null default 0`);
    await q.query(`create index webhook_deliveries_unfinished_ix on gateway.webhook_deliveries (retry_after) where outcome = 'accepted'`);
  }

  async down(q: QueryRunner) {
    await q.query(`drop index gateway.webhook_deliveries_unfinished_ix`);
    await q.query(`alter table gateway.webhook_deliveries drop column work, drop column retry_after, drop column attempts`);
  }
}

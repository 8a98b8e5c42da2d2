import type { MigrationInterface, QueryRunner } from 'typeorm';

// Issue 16 item 3: every git webhook delivery the gateway received and what it did, per project.
// A delivery id is taken once per project (GitHub's redeliveries keep it): the unique index is what
// makes a replay do nothing. Rejected ones (bad signature) are kept for the record, never unique.
export class CreateWebhookDeliveries1765400000000 implements MigrationInterface {
  name = 'CreateWebhookDeliveries1765400000000';

  async up(q: QueryRunner) {
    await q.query(`
      create table gateway.webhook_deliveries (
        id bigserial primary key,
        delivery_id text not null constraint webhook_deliveries_delivery_ck check (length(delivery_id) between 1 and 200),
        event text not null,
        action text,
        project_id uuid,
        outcome text not null constraint webhook_deliveries_outcome_ck
          check (outcome in ('accepted', 'deployed', 'preview-deployed', 'preview-removed', 'ignored', 'rejected', 'failed')),
        detail text not null default '',
        deployment_ids uuid[] not null default '{}',
        preview_url text,
        received_at timestamptz not null default now(),
        finished_at timestamptz
      )`);
    await q.query(
      `create unique index webhook_deliveries_once_ux on gateway.webhook_deliveries (project_id, delivery_id)
         where outcome <> 'rejected' and project_id is not null`,
    );
    await q.query(`create index webhook_deliveries_project_ix on gateway.webhook_deliveries (project_id, id desc)`);
  }

  async down(q: QueryRunner) {
    await q.query(`drop table gateway.webhook_deliveries`);
  }
}

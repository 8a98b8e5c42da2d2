import type { MigrationInterface, QueryRunner } from 'typeorm';

const ACTIVE = `'created','queued','initializing','building','deploying'`;
const HELD = `'awaiting_approval','waiting_timer','frozen'`;

// Protection rules (issue 23): a deployment held by one (status queued, phase awaiting_approval,
// waiting_timer or frozen) has no job and is not the environment's running deployment, like one
// waiting its turn; the sweeper finds the held ones whose deadline (metadata.protection.holdUntil) came.
export class HeldDeployments1765700000000 implements MigrationInterface {
  name = 'HeldDeployments1765700000000';

  async up(q: QueryRunner) {
    await q.query(`drop index orchestrator.deployments_one_active_per_environment_uq`);
    await q.query(
      `create unique index deployments_one_active_per_environment_uq on orchestrator.deployments (environment_id)
       where status in (${ACTIVE}) and phase not in ('waiting',${HELD})`,
    );
    await q.query(`create index deployments_held_idx on orchestrator.deployments (environment_id) where status = 'queued' and phase in (${HELD})`);
  }

  async down(q: QueryRunner) {
    await q.query(`drop index if exists orchestrator.deployments_held_idx`);
    // held deployments cannot exist without the rules: end them before restoring the old index
    await q.query(
      `update orchestrator.deployments set status = 'canceled', finished_at = now(), error_code = 'deployment/canceled',
         error_message = 'canceled: protection rules were removed' where status = 'queued' and phase in (${HELD})`,
    );
    await q.query(`drop index orchestrator.deployments_one_active_per_environment_uq`);
    await q.query(
      `create unique index deployments_one_active_per_environment_uq on orchestrator.deployments (environment_id)
       where status in (${ACTIVE}) and phase <> 'waiting'`,
    );
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

// A deployment names the provider it went to (issue 21): external, or the environment's provider
// by name (internal, docker, custom, ...), no longer only internal | external.
export class DeploymentProviderNames1765800000000 implements MigrationInterface {
  name = 'DeploymentProviderNames1765800000000';

  async up(q: QueryRunner) {
    await q.query(`alter table orchestrator.deployments drop constraint if exists deployments_provider_check`);
    await q.query(`alter table orchestrator.deployments add constraint deployments_provider_check check (provider ~ '^[a-z][a-z0-9-]{0,39}$')`);
  }

  async down(q: QueryRunner) {
    await q.query(`alter table orchestrator.deployments drop constraint if exists deployments_provider_check`);
    // every provider but external was our builder's: internal as the old constraint knew it
    await q.query(`update orchestrator.deployments set provider = 'internal' where provider not in ('internal', 'external')`);
    await q.query(`alter table orchestrator.deployments add constraint deployments_provider_check check (provider in ('internal', 'external'))`);
  }
}

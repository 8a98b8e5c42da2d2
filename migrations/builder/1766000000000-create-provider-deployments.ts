import type { MigrationInterface, QueryRunner } from 'typeorm';

// Providers (issue 21): what the environment's provider answered for each deployment it released
// (DeployResult.providerDeploymentId: a Vercel dpl_ id, a Render deploy, a Lambda version...) and
// which provider that was, so a rollback hands the provider the id of the deployment it goes back
// to (RollbackRequest.toProviderDeploymentId) whichever builder replica runs it.
export class CreateProviderDeployments1766000000000 implements MigrationInterface {
  name = 'CreateProviderDeployments1766000000000';

  async up(q: QueryRunner) {
    await q.query(`
      create table builder.provider_deployments (
        deployment_id uuid primary key,
        provider text not null,
        provider_deployment_id text,
        recorded_at timestamptz not null default now()
      )`);
  }

  async down(q: QueryRunner) {
    await q.query(`drop table builder.provider_deployments`);
  }
}

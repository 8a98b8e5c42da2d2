import type { MigrationInterface, QueryRunner } from 'typeorm';

// Issue 13 item 2: how an environment's app is built and run (rootDirectory, commands, output
// directory, nodeVersion, framework, healthCheckPath, skipBuild), written only after parsing with
// the contract's BuildSettings; `{}`: everything detected.
export class EnvironmentBuildSettings1765100000000 implements MigrationInterface {
  name = 'EnvironmentBuildSettings1765100000000';

  async up(q: QueryRunner) {
    await q.query(`
      alter table environments.environments
        add column build_settings jsonb not null default '{}',
        add constraint environments_build_settings_object_ck check (jsonb_typeof(build_settings) = 'object')`);
  }

  async down(q: QueryRunner) {
    await q.query(`alter table environments.environments drop constraint environments_build_settings_object_ck, drop column build_settings`);
  }
}

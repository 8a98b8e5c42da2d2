import type { MigrationInterface, QueryRunner } from 'typeorm';

// The branch and tag patterns an environment deploys from (issue 23): null is any ref; the
// orchestrator refuses a trigger whose ref matches none (deployment/ref-not-allowed).
export class EnvironmentAllowedRefs1765600000000 implements MigrationInterface {
  name = 'EnvironmentAllowedRefs1765600000000';

  async up(q: QueryRunner) {
    await q.query(
      `alter table environments.environments
         add column allowed_refs text[] constraint environments_allowed_refs_ck check (cardinality(allowed_refs) between 1 and 50)`,
    );
  }

  async down(q: QueryRunner) {
    await q.query(`alter table environments.environments drop column allowed_refs`);
  }
}

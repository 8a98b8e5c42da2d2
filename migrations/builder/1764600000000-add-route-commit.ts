import type { MigrationInterface, QueryRunner } from 'typeorm';

// The commit an environment serves, so that an older commit finishing last never takes the route
// from a newer one (null: unknown, e.g. after a rollback or for routes from before this column).
export class AddRouteCommit1764600000000 implements MigrationInterface {
  name = 'AddRouteCommit1764600000000';

  async up(q: QueryRunner) {
    await q.query(`alter table builder.environment_routes add column commit_sha text`);
  }

  async down(q: QueryRunner) {
    await q.query(`alter table builder.environment_routes drop column commit_sha`);
  }
}

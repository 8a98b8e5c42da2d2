import type { MigrationInterface, QueryRunner } from 'typeorm';

// Providers (issue 21): an environment released by a provider whose release answers on an address
// the edge reaches (the Docker provider's container, http://host:port) is routed there by the
// builder: its route row names that upstream instead of a release dir, so a restart restores it.
export class AddRouteUpstream1766100000000 implements MigrationInterface {
  name = 'AddRouteUpstream1766100000000';

  async up(q: QueryRunner) {
    await q.query(`alter table builder.environment_routes add column upstream text`);
  }

  async down(q: QueryRunner) {
    await q.query(`alter table builder.environment_routes drop column upstream`);
  }
}

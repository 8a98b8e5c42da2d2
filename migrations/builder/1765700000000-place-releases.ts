import type { MigrationInterface, QueryRunner } from 'typeorm';

// Placement (issue 17 item 1): each release runs on one builder instance, recorded as the owner of
// its environment's route and of its release row. Builders heartbeat into builder.instances (the
// database's clock, so the replicas' clocks never disagree); the routes and releases of an instance
// silent past the bound are taken over by a live one. Rows from before this (owner null) belong to
// whichever builder starts first and takes them.
export class PlaceReleases1765700000000 implements MigrationInterface {
  name = 'PlaceReleases1765700000000';

  async up(q: QueryRunner) {
    await q.query(`
      create table builder.instances (
        id text primary key,
        address text not null,
        started_at timestamptz not null default now(),
        seen_at timestamptz not null default now()
      )`);
    await q.query(`alter table builder.environment_routes add column owner text`);
    await q.query(`alter table builder.releases add column owner text`);
    await q.query(`create index environment_routes_owner on builder.environment_routes (owner)`);
    await q.query(`create index releases_owner on builder.releases (owner)`);
  }

  async down(q: QueryRunner) {
    await q.query(`drop index builder.releases_owner`);
    await q.query(`drop index builder.environment_routes_owner`);
    await q.query(`alter table builder.releases drop column owner`);
    await q.query(`alter table builder.environment_routes drop column owner`);
    await q.query(`drop table builder.instances`);
  }
}

import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { EdgeRoute } from '@flightdeck/contracts';
import { environmentLabel, previewLabel } from '../provider/release-names';

export interface TakenOver {
  /** environments whose route now leads to the taker */
  environments: { project: string; environment: string; releaseId: string; upstream?: string | null }[];
  /** release rows (their preview labels) it now serves */
  releases: string[];
}

// builder.instances (who is alive, where its router answers) and the owner columns of
// builder.environment_routes and builder.releases. Time is the database's: replicas' clocks never
// have to agree.
@Injectable()
export class InstancesRepository {
  constructor(private readonly ds: DataSource) {}

  async heartbeat(id: string, address: string): Promise<void> {
    await this.ds.query(
      `insert into builder.instances (id, address) values ($1, $2)
       on conflict (id) do update set address = excluded.address, seen_at = now()`,
      [id, address],
    );
  }

  /** the instance stops cleanly: its releases are taken over at once, not after the bound */
  async leave(id: string): Promise<void> {
    await this.ds.query(`update builder.instances set seen_at = 'epoch' where id = $1`, [id]);
  }

  // One statement per table: a row is taken by exactly one live instance, whichever comes first.
  async takeOver(taker: string, deadAfterMs: number): Promise<TakenOver> {
    return this.ds.transaction(async (tx) => {
      const dead = `select id from builder.instances where id <> $1 and seen_at < now() - make_interval(secs => $2::double precision / 1000)`;
      // TypeORM answers an UPDATE ... RETURNING with [rows, affected]
      const [environments]: [{ project: string; environment: string; release_id: string; upstream: string | null }[], number] = await tx.query(
        `update builder.environment_routes set owner = $1 where owner in (${dead}) and retired_at is null
         returning project, environment, release_id, upstream`,
        [taker, deadAfterMs],
      );
      const [releases]: [{ deployment_id: string }[], number] = await tx.query(
        `update builder.releases set owner = $1 where owner in (${dead}) returning deployment_id`,
        [taker, deadAfterMs],
      );
      return {
        environments: environments.map((r) => ({ project: r.project, environment: r.environment, releaseId: r.release_id, upstream: r.upstream })),
        releases: releases.map((r) => r.deployment_id),
      };
    });
  }

  /** every label and the router serving it; environment labels first (they win a clash) */
  async edgeRoutes(): Promise<EdgeRoute[]> {
    const environments: { project: string; environment: string; owner: string; address: string }[] = await this.ds.query(
      `select r.project, r.environment, r.owner, i.address from builder.environment_routes r
       join builder.instances i on i.id = r.owner where r.retired_at is null`,
    );
    const previews: { project: string; deployment_id: string; owner: string; address: string }[] = await this.ds.query(
      `select r.project, r.deployment_id, r.owner, i.address from builder.releases r join builder.instances i on i.id = r.owner`,
    );
    return [
      ...environments.map((r) => ({ label: environmentLabel(r.project, r.environment), kind: 'environment' as const, builder: r.owner, address: r.address })),
      ...previews.map((r) => ({ label: previewLabel(r.project, r.deployment_id), kind: 'preview' as const, builder: r.owner, address: r.address })),
    ];
  }
}

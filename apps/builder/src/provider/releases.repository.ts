import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { AppKind } from '../build/app-kind';

export interface ReleaseRow {
  /** the deployment that released; its preview label points at this row's release */
  deploymentId: string;
  /** the deployment whose release dir is served: itself, or the target of a rollback */
  releaseId: string;
  project: string;
  environment: string;
  kind: AppKind;
  dir: string;
  startCommand: string[] | null;
}

export interface EnvironmentRoute {
  project: string;
  environment: string;
  deploymentId: string;
  releaseId: string;
  /** another provider's release the edge proxies to (http://host:port); no release row or dir here */
  upstream: string | null;
}

interface RawRelease {
  deployment_id: string;
  release_id: string;
  project: string;
  environment: string;
  kind: AppKind;
  dir: string;
  start_command: string[] | null;
}

const toRow = (r: RawRelease): ReleaseRow => ({
  deploymentId: r.deployment_id,
  releaseId: r.release_id,
  project: r.project,
  environment: r.environment,
  kind: r.kind,
  dir: r.dir,
  startCommand: r.start_command,
});

// The only code that knows builder.releases and builder.environment_routes.
@Injectable()
export class ReleasesRepository {
  constructor(private readonly ds: DataSource) {}

  /** the commit the environment serves, when known */
  async liveCommit(project: string, environment: string): Promise<string | null> {
    const rows: { commit_sha: string | null }[] = await this.ds.query(
      `select commit_sha from builder.environment_routes where project = $1 and environment = $2`,
      [project, environment],
    );
    return rows[0]?.commit_sha ?? null;
  }

  /**
   * records the release and points its environment at it (serving `commitSha`), in one transaction;
   * `owner`, the builder instance running it, runs the environment from now on. Answers the owner it
   * had before (null: none, or this one).
   */
  async switchTo(row: ReleaseRow, commitSha: string | null = null, owner: string | null = null): Promise<{ previousOwner: string | null }> {
    return this.ds.transaction(async (tx) => {
      const before: { owner: string | null }[] = await tx.query(
        `select owner from builder.environment_routes where project = $1 and environment = $2 for update`,
        [row.project, row.environment],
      );
      await tx.query(
        `insert into builder.releases (deployment_id, release_id, project, environment, kind, dir, start_command, owner)
         values ($1, $2, $3, $4, $5, $6, $7, $8)
         on conflict (deployment_id) do update set release_id = excluded.release_id, kind = excluded.kind,
           dir = excluded.dir, start_command = excluded.start_command, owner = excluded.owner`,
        [row.deploymentId, row.releaseId, row.project, row.environment, row.kind, row.dir, row.startCommand ? JSON.stringify(row.startCommand) : null, owner],
      );
      await tx.query(
        `insert into builder.environment_routes (project, environment, deployment_id, release_id, commit_sha, updated_at, owner)
         values ($1, $2, $3, $4, $5, now(), $6)
         on conflict (project, environment) do update set deployment_id = excluded.deployment_id,
           release_id = excluded.release_id, commit_sha = excluded.commit_sha, updated_at = now(), retired_at = null,
           owner = excluded.owner, upstream = null`,
        [row.project, row.environment, row.deploymentId, row.releaseId, commitSha, owner],
      );
      const previousOwner = before[0]?.owner ?? null;
      return { previousOwner: previousOwner === owner ? null : previousOwner };
    });
  }

  /**
   * points the environment at another provider's release answering at `upstream` (no release row:
   * nothing of it is on this host); `owner`, the builder whose edge router proxies to it, serves it
   */
  async switchToUpstream(project: string, environment: string, deploymentId: string, upstream: string, owner: string): Promise<void> {
    await this.ds.query(
      `insert into builder.environment_routes (project, environment, deployment_id, release_id, commit_sha, updated_at, owner, upstream)
       values ($1, $2, $3, $3, null, now(), $4, $5)
       on conflict (project, environment) do update set deployment_id = excluded.deployment_id,
         release_id = excluded.release_id, commit_sha = null, updated_at = now(), retired_at = null,
         owner = excluded.owner, upstream = excluded.upstream`,
      [project, environment, deploymentId, owner, upstream],
    );
  }

  /** the environment's live route: the release it serves and the builder running it */
  async route(project: string, environment: string): Promise<{ releaseId: string; owner: string | null } | undefined> {
    const rows: { release_id: string; owner: string | null }[] = await this.ds.query(
      `select release_id, owner from builder.environment_routes where project = $1 and environment = $2 and retired_at is null`,
      [project, environment],
    );
    return rows[0] && { releaseId: rows[0].release_id, owner: rows[0].owner };
  }

  /** `owner` runs the environment's current release from now on (unless the route changed meanwhile) */
  async takeRoute(project: string, environment: string, releaseId: string, owner: string): Promise<boolean> {
    const [, affected]: [unknown, number] = await this.ds.query(
      `update builder.environment_routes set owner = $4 where project = $1 and environment = $2 and release_id = $3 and retired_at is null`,
      [project, environment, releaseId, owner],
    );
    return affected > 0;
  }

  async find(deploymentId: string): Promise<ReleaseRow | undefined> {
    const rows: RawRelease[] = await this.ds.query(`select * from builder.releases where deployment_id = $1`, [deploymentId]);
    return rows[0] && toRow(rows[0]);
  }

  /** the releases `owner` runs; rows no builder runs yet (from before placement) become its own */
  async all(owner: string | null = null): Promise<ReleaseRow[]> {
    if (owner) await this.ds.query(`update builder.releases set owner = $1 where owner is null`, [owner]);
    const rows: RawRelease[] = await this.ds.query(
      `select * from builder.releases where $1::text is null or owner = $1 order by created_at`,
      [owner],
    );
    return rows.map(toRow);
  }

  /** the environment's own releases (rollback rows excluded), newest first */
  async releasesOf(project: string, environment: string): Promise<ReleaseRow[]> {
    const rows: RawRelease[] = await this.ds.query(
      `select * from builder.releases where project = $1 and environment = $2 and release_id = deployment_id
       order by created_at desc`,
      [project, environment],
    );
    return rows.map(toRow);
  }

  /** the environments `owner` serves; routes no builder serves yet become its own */
  async routes(owner: string | null = null): Promise<EnvironmentRoute[]> {
    if (owner) await this.ds.query(`update builder.environment_routes set owner = $1 where owner is null`, [owner]);
    const rows: { project: string; environment: string; deployment_id: string; release_id: string; upstream: string | null }[] = await this.ds.query(
      `select project, environment, deployment_id, release_id, upstream from builder.environment_routes
       where retired_at is null and ($1::text is null or owner = $1)`,
      [owner],
    );
    return rows.map((r) => ({ project: r.project, environment: r.environment, deploymentId: r.deployment_id, releaseId: r.release_id, upstream: r.upstream }));
  }

  /** the environment was deleted: its route serves nothing until reinstated or deployed to again */
  async retire(project: string, environment: string): Promise<void> {
    await this.ds.query(
      `update builder.environment_routes set retired_at = coalesce(retired_at, now()) where project = $1 and environment = $2`,
      [project, environment],
    );
  }

  /** the environment was restored: the deployment its route served, if it has one */
  async reinstate(project: string, environment: string, owner: string | null = null): Promise<string | undefined> {
    await this.ds.query(
      `update builder.environment_routes set retired_at = null, owner = coalesce($3, owner) where project = $1 and environment = $2`,
      [project, environment, owner],
    );
    const rows: { deployment_id: string }[] = await this.ds.query(
      `select deployment_id from builder.environment_routes where project = $1 and environment = $2`,
      [project, environment],
    );
    return rows[0]?.deployment_id;
  }

  /** forgets a release and every rollback that served it */
  async remove(releaseId: string): Promise<void> {
    await this.ds.query(`delete from builder.releases where release_id = $1`, [releaseId]);
  }
}

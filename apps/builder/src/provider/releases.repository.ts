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

  /** records the release and points its environment at it (serving `commitSha`), in one transaction */
  async switchTo(row: ReleaseRow, commitSha: string | null = null): Promise<void> {
    await this.ds.transaction(async (tx) => {
      await tx.query(
        `insert into builder.releases (deployment_id, release_id, project, environment, kind, dir, start_command)
         values ($1, $2, $3, $4, $5, $6, $7)
         on conflict (deployment_id) do update set release_id = excluded.release_id, kind = excluded.kind,
           dir = excluded.dir, start_command = excluded.start_command`,
        [row.deploymentId, row.releaseId, row.project, row.environment, row.kind, row.dir, row.startCommand ? JSON.stringify(row.startCommand) : null],
      );
      await tx.query(
        `insert into builder.environment_routes (project, environment, deployment_id, release_id, commit_sha, updated_at)
         values ($1, $2, $3, $4, $5, now())
         on conflict (project, environment) do update set deployment_id = excluded.deployment_id,
           release_id = excluded.release_id, commit_sha = excluded.commit_sha, updated_at = now(), retired_at = null`,
        [row.project, row.environment, row.deploymentId, row.releaseId, commitSha],
      );
    });
  }

  async find(deploymentId: string): Promise<ReleaseRow | undefined> {
    const rows: RawRelease[] = await this.ds.query(`select * from builder.releases where deployment_id = $1`, [deploymentId]);
    return rows[0] && toRow(rows[0]);
  }

  async all(): Promise<ReleaseRow[]> {
    const rows: RawRelease[] = await this.ds.query(`select * from builder.releases order by created_at`);
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

  async routes(): Promise<EnvironmentRoute[]> {
    const rows: { project: string; environment: string; deployment_id: string; release_id: string }[] = await this.ds.query(
      `select project, environment, deployment_id, release_id from builder.environment_routes where retired_at is null`,
    );
    return rows.map((r) => ({ project: r.project, environment: r.environment, deploymentId: r.deployment_id, releaseId: r.release_id }));
  }

  /** the environment was deleted: its route serves nothing until reinstated or deployed to again */
  async retire(project: string, environment: string): Promise<void> {
    await this.ds.query(
      `update builder.environment_routes set retired_at = coalesce(retired_at, now()) where project = $1 and environment = $2`,
      [project, environment],
    );
  }

  /** the environment was restored: the deployment its route served, if it has one */
  async reinstate(project: string, environment: string): Promise<string | undefined> {
    await this.ds.query(`update builder.environment_routes set retired_at = null where project = $1 and environment = $2`, [project, environment]);
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

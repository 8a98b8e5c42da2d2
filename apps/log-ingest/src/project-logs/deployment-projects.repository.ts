import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { Deployment } from '@flightdeck/contracts';

export interface ProjectVolume {
  /** a project id, 'unknown' (deployments whose project is not known yet) or 'other' (the rest) */
  project: string;
  lines: number;
  bytes: number;
}

// The only code that knows logs.deployments (which project and environment a deployment is of)
// and reads logs.deployment_volume by project.
@Injectable()
export class DeploymentProjectsRepository {
  constructor(private readonly ds: DataSource) {}

  /** lines and bytes ever stored per project: the `top` largest by lines, the rest as 'other' */
  async volumeByProject(top: number): Promise<ProjectVolume[]> {
    const rows: { project: string; lines: string; bytes: string }[] = await this.ds.query(
      `select coalesce(d.project_id::text, 'unknown') as project, sum(v.lines)::text as lines, sum(v.bytes)::text as bytes
       from logs.deployment_volume v left join logs.deployments d on d.deployment_id = v.deployment_id
       group by 1 order by sum(v.lines) desc`,
    );
    const all = rows.map((r) => ({ project: r.project, lines: Number(r.lines), bytes: Number(r.bytes) }));
    const rest = all.slice(top);
    if (!rest.length) return all;
    return [...all.slice(0, top), { project: 'other', lines: rest.reduce((n, r) => n + r.lines, 0), bytes: rest.reduce((n, r) => n + r.bytes, 0) }];
  }

  /** a project's own retention in days; null removes it */
  async setRetention(projectId: string, days: number | null): Promise<void> {
    if (days === null) await this.ds.query(`delete from logs.project_retention where project_id = $1`, [projectId]);
    else {
      await this.ds.query(
        `insert into logs.project_retention (project_id, days) values ($1, $2)
         on conflict (project_id) do update set days = excluded.days, updated_at = now()`,
        [projectId, days],
      );
    }
  }

  async pin(deploymentId: string, pinned: boolean): Promise<void> {
    if (pinned) await this.ds.query(`insert into logs.pinned_deployments (deployment_id) values ($1) on conflict do nothing`, [deploymentId]);
    else await this.ds.query(`delete from logs.pinned_deployments where deployment_id = $1`, [deploymentId]);
  }

  /** the environment's current release is this deployment, unless a later one succeeded already */
  async released(tx: EntityManager, d: Pick<Deployment, 'id' | 'environmentId'>, at: string): Promise<void> {
    await tx.query(
      `insert into logs.environment_releases (environment_id, deployment_id, released_at) values ($1, $2, $3)
       on conflict (environment_id) do update set deployment_id = excluded.deployment_id, released_at = excluded.released_at
       where environment_releases.released_at < excluded.released_at`,
      [d.environmentId, d.id, at],
    );
  }

  // A deployment's project and environment never change: the first event that names it is enough.
  async record(tx: EntityManager, d: Pick<Deployment, 'id' | 'projectId' | 'environmentId' | 'createdAt'>): Promise<void> {
    await tx.query(
      `insert into logs.deployments (deployment_id, project_id, environment_id, created_at) values ($1, $2, $3, $4)
       on conflict (deployment_id) do nothing`,
      [d.id, d.projectId, d.environmentId, d.createdAt],
    );
  }
}

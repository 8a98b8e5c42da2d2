import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager, Equal, IsNull, Not } from 'typeorm';
import type { ConcurrencyPolicy, EnvironmentLimits } from '@flightdeck/contracts';
import { EnvironmentEntity } from './environment.entity';
import { ProjectEntity } from './project.entity';

export const PROJECT_NAME_INDEX = 'projects_name_uq';
// a partial unique index over live environments only (migration 1764900000000)
export const ENVIRONMENT_NAME_INDEX = 'environments_project_name_uq';

export type EnvironmentChanges = Partial<
  Pick<EnvironmentEntity, 'name' | 'type' | 'isDefault' | 'deletedAt' | 'buildSettings' | 'branch' | 'autoDeploy' | 'allowedRefs' | 'provider' | 'protection' | 'domains'>
>;

export const DOMAIN_KEY = 'environment_domains_pkey';

// Every query on projects and their environments. Methods taking `tx` run in the caller's transaction.
@Injectable()
export class ProjectsRepository {
  constructor(private readonly ds: DataSource) {}

  // Live projects only: a soft-deleted one is unknown to every caller.
  findById(id: string): Promise<ProjectEntity | null> {
    return this.ds.getRepository(ProjectEntity).findOneBy({ id, deletedAt: IsNull() });
  }

  // By name; `deleted`: only the soft-deleted ones, latest first.
  all(deleted = false): Promise<ProjectEntity[]> {
    return this.ds.getRepository(ProjectEntity).find(
      deleted ? { where: { deletedAt: Not(IsNull()) }, order: { deletedAt: 'DESC', name: 'ASC' } } : { where: { deletedAt: IsNull() }, order: { name: 'ASC' } },
    );
  }

  // Live environments only: a soft-deleted one is unknown to every caller (triggers, variables, builds).
  findEnvironment(id: string): Promise<EnvironmentEntity | null> {
    return this.ds.getRepository(EnvironmentEntity).findOneBy({ id, deletedAt: IsNull() });
  }

  findEnvironmentOf(projectId: string, id: string): Promise<EnvironmentEntity | null> {
    return this.ds.getRepository(EnvironmentEntity).findOneBy({ id, projectId, deletedAt: IsNull() });
  }

  // The default environment first, then by name; `deleted`: only the soft-deleted ones, latest first.
  environmentsOf(projectId: string, deleted = false): Promise<EnvironmentEntity[]> {
    return this.ds.getRepository(EnvironmentEntity).find(
      deleted
        ? { where: { projectId, deletedAt: Not(IsNull()) }, order: { deletedAt: 'DESC', name: 'ASC' } }
        : { where: { projectId, deletedAt: IsNull() }, order: { isDefault: 'DESC', name: 'ASC' } },
    );
  }

  // Every change to a project's environments takes this lock first: who is the default and which
  // names are taken are then decided by one transaction at a time.
  // A deleted project's environments cannot change: it reads as absent here.
  async lockProject(tx: EntityManager, projectId: string): Promise<ProjectEntity | null> {
    const p = await this.lockAnyProject(tx, projectId);
    return p && !p.deletedAt ? p : null;
  }

  // Deleted or not: restore needs the deleted one.
  lockAnyProject(tx: EntityManager, projectId: string): Promise<ProjectEntity | null> {
    return tx.getRepository(ProjectEntity).findOne({ where: { id: projectId }, lock: { mode: 'pessimistic_write' } });
  }

  async changeProject(tx: EntityManager, id: string, changes: Partial<Pick<ProjectEntity, 'name' | 'repositoryUrl' | 'repositoryKey' | 'defaultBranch' | 'triggersPerMinute' | 'updatedAt' | 'deletedAt'>>): Promise<ProjectEntity> {
    await tx.getRepository(ProjectEntity).update({ id }, changes);
    return tx.getRepository(ProjectEntity).findOneByOrFail({ id });
  }

  // Soft-deletes a project's live environments at `at`, its own deletion time, and answers them:
  // restoring the project brings back exactly those (deleted_at = at), not ones deleted before.
  async deleteEnvironmentsWithProject(tx: EntityManager, projectId: string, at: Date): Promise<EnvironmentEntity[]> {
    await tx.getRepository(EnvironmentEntity).update({ projectId, deletedAt: IsNull() }, { deletedAt: at });
    return tx.getRepository(EnvironmentEntity).find({ where: { projectId, deletedAt: Equal(at) }, order: { isDefault: 'DESC', name: 'ASC' } });
  }

  async restoreEnvironmentsWithProject(tx: EntityManager, projectId: string, at: Date): Promise<EnvironmentEntity[]> {
    const envs = await tx.getRepository(EnvironmentEntity).find({ where: { projectId, deletedAt: Equal(at) }, order: { isDefault: 'DESC', name: 'ASC' } });
    if (envs.length) await tx.getRepository(EnvironmentEntity).update({ projectId, deletedAt: Equal(at) }, { deletedAt: null });
    return envs.map((e) => Object.assign(e, { deletedAt: null }));
  }

  // Deleted or not: restore needs the deleted one. Another project's reads as absent.
  environmentInProject(tx: EntityManager, projectId: string, id: string): Promise<EnvironmentEntity | null> {
    return tx.getRepository(EnvironmentEntity).findOneBy({ id, projectId });
  }

  liveNamed(tx: EntityManager, projectId: string, name: string): Promise<EnvironmentEntity | null> {
    return tx.getRepository(EnvironmentEntity).findOneBy({ projectId, name, deletedAt: IsNull() });
  }

  async clearDefault(tx: EntityManager, projectId: string): Promise<void> {
    await tx.getRepository(EnvironmentEntity).update({ projectId, isDefault: true }, { isDefault: false });
  }

  async changeEnvironment(tx: EntityManager, id: string, changes: EnvironmentChanges): Promise<EnvironmentEntity> {
    if (Object.keys(changes).length) await tx.getRepository(EnvironmentEntity).update({ id }, changes);
    return tx.getRepository(EnvironmentEntity).findOneByOrFail({ id });
  }

  /** the environment's custom domains become `domains`: a domain another environment has violates DOMAIN_KEY */
  async setDomains(tx: EntityManager, environmentId: string, domains: string[]): Promise<void> {
    await tx.query(`delete from environments.environment_domains where environment_id = $1`, [environmentId]);
    if (domains.length) {
      await tx.query(
        `insert into environments.environment_domains (domain, environment_id) select unnest($1::text[]), $2`,
        [domains, environmentId],
      );
    }
  }

  /** every live environment's custom domains with its names, for the edge */
  async liveDomains(): Promise<{ domain: string; projectName: string; environmentName: string }[]> {
    return this.ds.query(
      `select d.domain, p.name as "projectName", e.name as "environmentName"
       from environments.environment_domains d
       join environments.environments e on e.id = d.environment_id and e.deleted_at is null
       join environments.projects p on p.id = e.project_id and p.deleted_at is null
       order by d.domain`,
    );
  }

  // Only when the environment is that project's: the check and the change are one statement.
  async setLimits(projectId: string, environmentId: string, limits: EnvironmentLimits): Promise<EnvironmentEntity | null> {
    const { affected } = await this.ds.getRepository(EnvironmentEntity).update({ id: environmentId, projectId, deletedAt: IsNull() }, { limits });
    return affected ? this.findEnvironment(environmentId) : null;
  }

  async setConcurrencyPolicy(projectId: string, environmentId: string, concurrencyPolicy: ConcurrencyPolicy): Promise<EnvironmentEntity | null> {
    const { affected } = await this.ds.getRepository(EnvironmentEntity).update({ id: environmentId, projectId, deletedAt: IsNull() }, { concurrencyPolicy });
    return affected ? this.findEnvironment(environmentId) : null;
  }

  async insertProject(tx: EntityManager, p: ProjectEntity): Promise<void> {
    await tx.getRepository(ProjectEntity).insert(p);
  }

  async insertEnvironment(tx: EntityManager, e: EnvironmentEntity): Promise<void> {
    await tx.getRepository(EnvironmentEntity).insert(e);
  }
}

export const isUniqueViolation = (e: unknown, constraint: string): boolean => {
  const pg = e as { code?: string; constraint?: string; driverError?: { code?: string; constraint?: string } };
  const info = pg.driverError ?? pg;
  return info.code === '23505' && info.constraint === constraint;
};

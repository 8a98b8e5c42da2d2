import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { ConcurrencyPolicy, EnvironmentLimits } from '@flightdeck/contracts';
import { EnvironmentEntity } from './environment.entity';
import { ProjectEntity } from './project.entity';

export const PROJECT_NAME_INDEX = 'projects_name_uq';

// Every query on projects and their environments. Methods taking `tx` run in the caller's transaction.
@Injectable()
export class ProjectsRepository {
  constructor(private readonly ds: DataSource) {}

  findById(id: string): Promise<ProjectEntity | null> {
    return this.ds.getRepository(ProjectEntity).findOneBy({ id });
  }

  all(): Promise<ProjectEntity[]> {
    return this.ds.getRepository(ProjectEntity).find({ order: { name: 'ASC' } });
  }

  findEnvironment(id: string): Promise<EnvironmentEntity | null> {
    return this.ds.getRepository(EnvironmentEntity).findOneBy({ id });
  }

  // The default environment first, then by name.
  environmentsOf(projectId: string): Promise<EnvironmentEntity[]> {
    return this.ds.getRepository(EnvironmentEntity).find({ where: { projectId }, order: { isDefault: 'DESC', name: 'ASC' } });
  }

  // Only when the environment is that project's: the check and the change are one statement.
  async setLimits(projectId: string, environmentId: string, limits: EnvironmentLimits): Promise<EnvironmentEntity | null> {
    const { affected } = await this.ds.getRepository(EnvironmentEntity).update({ id: environmentId, projectId }, { limits });
    return affected ? this.findEnvironment(environmentId) : null;
  }

  async setConcurrencyPolicy(projectId: string, environmentId: string, concurrencyPolicy: ConcurrencyPolicy): Promise<EnvironmentEntity | null> {
    const { affected } = await this.ds.getRepository(EnvironmentEntity).update({ id: environmentId, projectId }, { concurrencyPolicy });
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

import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { ProjectVariableEntity } from './project-variable.entity';
import { VariableEntity } from './variable.entity';

// Raised instead of the driver's error, whose parameters and detail would carry the value into a log.
export class VariableWriteError extends Error {
  constructor(key: string, cause: unknown) {
    const code = (cause as { driverError?: { code?: string }; code?: string }).driverError?.code ?? (cause as { code?: string }).code;
    super(`could not store variable ${key}${code ? ` (postgres ${code})` : ''}`);
  }
}

const WRITTEN_COLUMNS = ['sensitive', 'target', 'value_plain', 'ciphertext', 'iv', 'auth_tag', 'key_id', 'updated_at'];

@Injectable()
export class VariablesRepository {
  constructor(private readonly ds: DataSource) {}

  list(environmentId: string): Promise<VariableEntity[]> {
    return this.ds.getRepository(VariableEntity).find({ where: { environmentId }, order: { key: 'ASC' } });
  }

  listProject(projectId: string): Promise<ProjectVariableEntity[]> {
    return this.ds.getRepository(ProjectVariableEntity).find({ where: { projectId }, order: { key: 'ASC' } });
  }

  // One statement: concurrent writers of one key end with one of their values, never an error.
  async upsert(v: VariableEntity, tx: EntityManager = this.ds.manager): Promise<void> {
    await this.write(tx, VariableEntity, v, ['environment_id', 'key']);
  }

  async upsertProject(v: ProjectVariableEntity, tx: EntityManager = this.ds.manager): Promise<void> {
    await this.write(tx, ProjectVariableEntity, v, ['project_id', 'key']);
  }

  async delete(environmentId: string, key: string): Promise<boolean> {
    const r = await this.ds.getRepository(VariableEntity).delete({ environmentId, key });
    return (r.affected ?? 0) > 0;
  }

  async deleteProject(projectId: string, key: string): Promise<boolean> {
    const r = await this.ds.getRepository(ProjectVariableEntity).delete({ projectId, key });
    return (r.affected ?? 0) > 0;
  }

  transaction<T>(work: (tx: EntityManager) => Promise<T>): Promise<T> {
    return this.ds.transaction(work);
  }

  private async write(tx: EntityManager, entity: typeof VariableEntity | typeof ProjectVariableEntity, v: object, conflict: string[]) {
    try {
      await tx.createQueryBuilder().insert().into(entity).values(v).orUpdate(WRITTEN_COLUMNS, conflict).execute();
    } catch (e) {
      throw new VariableWriteError((v as { key: string }).key, e);
    }
  }
}

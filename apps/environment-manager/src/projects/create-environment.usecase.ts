import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type CreateEnvironmentRequest, type Environment, type Result, ok } from '@flightdeck/contracts';
import { EnvironmentEntity } from './environment.entity';
import { nameTaken } from './environment-rules';
import { projectNotFound } from './project-queries.service';
import { toEnvironment } from './projects.mapper';
import { ENVIRONMENT_NAME_INDEX, ProjectsRepository, isUniqueViolation } from './projects.repository';

// A new environment of a project; as its default, the previous default stops being one in the same
// transaction. Concurrency policy and limits start as a new project's production has them.
@Injectable()
export class CreateEnvironmentUseCase {
  private readonly logger = new Logger(CreateEnvironmentUseCase.name);

  constructor(
    private readonly ds: DataSource,
    private readonly repo: ProjectsRepository,
  ) {}

  async execute(req: CreateEnvironmentRequest): Promise<Result<Environment>> {
    let result: Result<EnvironmentEntity>;
    try {
      result = await this.ds.transaction(async (tx) => {
        if (!(await this.repo.lockProject(tx, req.projectId))) return projectNotFound(req.projectId);
        if (await this.repo.liveNamed(tx, req.projectId, req.name)) return nameTaken(req.name);
        if (req.isDefault) await this.repo.clearDefault(tx, req.projectId);
        const env = Object.assign(new EnvironmentEntity(), {
          id: randomUUID(),
          projectId: req.projectId,
          name: req.name,
          type: req.type,
          isDefault: req.isDefault ?? false,
          limits: {},
          concurrencyPolicy: 'reject',
          createdAt: new Date(),
          deletedAt: null,
        });
        await this.repo.insertEnvironment(tx, env);
        return ok(env);
      });
    } catch (e) {
      // the project lock makes this rare; the partial unique index makes it impossible to miss
      if (isUniqueViolation(e, ENVIRONMENT_NAME_INDEX)) return nameTaken(req.name);
      throw e;
    }
    if (!result.ok) return result;
    const env = result.data;
    this.logger.log({ projectId: env.projectId, environmentId: env.id, name: env.name, type: env.type, isDefault: env.isDefault }, 'environment created');
    return ok(toEnvironment(env));
  }
}

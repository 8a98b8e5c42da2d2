import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type CreateProjectRequest, ErrorCode, type Project, type Result, err, normalizeRepositoryUrl, ok } from '@flightdeck/contracts';
import { EnvironmentEntity } from './environment.entity';
import { ProjectEntity } from './project.entity';
import { toProject } from './projects.mapper';
import { PROJECT_NAME_INDEX, ProjectsRepository, isUniqueViolation } from './projects.repository';
import { type Check, checkBranchName, checkRepositoryUrl } from './repository-source';

export const DEFAULT_BRANCH = 'main';
export const PRODUCTION = 'production';

// A project never exists without its production environment: both are written in one transaction.
@Injectable()
export class CreateProjectUseCase {
  private readonly logger = new Logger(CreateProjectUseCase.name);

  constructor(
    private readonly ds: DataSource,
    private readonly repo: ProjectsRepository,
  ) {}

  async execute(req: CreateProjectRequest): Promise<Result<Project>> {
    const invalid = invalidFields({
      repositoryUrl: checkRepositoryUrl(req.repositoryUrl),
      defaultBranch: req.defaultBranch === undefined ? { ok: true } : checkBranchName(req.defaultBranch),
    });
    if (invalid) return invalid;

    const now = new Date();
    const project = Object.assign(new ProjectEntity(), {
      id: randomUUID(),
      name: req.name,
      repositoryUrl: req.repositoryUrl,
      repositoryKey: normalizeRepositoryUrl(req.repositoryUrl),
      defaultBranch: req.defaultBranch ?? DEFAULT_BRANCH,
      createdAt: now,
      updatedAt: now,
      deletedAt: null,
    });
    const production = Object.assign(new EnvironmentEntity(), {
      id: randomUUID(),
      projectId: project.id,
      name: PRODUCTION,
      type: 'production' as const,
      isDefault: true,
      limits: {},
      concurrencyPolicy: 'reject',
      createdAt: now,
      deletedAt: null,
    });
    try {
      await this.ds.transaction(async (tx) => {
        await this.repo.insertProject(tx, project);
        await this.repo.insertEnvironment(tx, production);
      });
    } catch (e) {
      if (isUniqueViolation(e, PROJECT_NAME_INDEX)) {
        return err(ErrorCode.ProjectNameTaken, `a project named ${req.name} already exists`, { field: 'name' });
      }
      throw e;
    }
    this.logger.log({ projectId: project.id, name: project.name, environmentId: production.id }, 'project created');
    return ok(toProject(project));
  }
}

// The same shape as a schema failure at the bus boundary: one message naming every bad field.
export const invalidFields = (checks: Record<string, Check>): Result<never> | undefined => {
  const fields = Object.entries(checks).flatMap(([path, c]) => (c.ok ? [] : [{ path, message: c.reason }]));
  if (!fields.length) return undefined;
  return err(ErrorCode.InvalidInput, fields.map((f) => `${f.path}: ${f.message}`).join('; '), { fields });
};

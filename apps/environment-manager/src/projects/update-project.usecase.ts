import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ErrorCode, type Project, type Result, type UpdateProjectRequest, err, normalizeRepositoryUrl, ok } from '@flightdeck/contracts';
import { invalidFields } from './create-project.usecase';
import type { ProjectEntity } from './project.entity';
import { projectNotFound } from './project-queries.service';
import { toProject } from './projects.mapper';
import { PROJECT_NAME_INDEX, ProjectsRepository, isUniqueViolation } from './projects.repository';
import { checkBranchName, checkRepositoryUrl } from './repository-source';

// Renames a project, points it at another repository or default branch, or sets its own trigger rate
// limit; what the patch leaves out is kept. Checked as at creation: a bad URL or branch is a 400
// naming the field, a taken name 409.
@Injectable()
export class UpdateProjectUseCase {
  private readonly logger = new Logger(UpdateProjectUseCase.name);

  constructor(
    private readonly ds: DataSource,
    private readonly repo: ProjectsRepository,
  ) {}

  async execute(req: UpdateProjectRequest): Promise<Result<Project>> {
    const invalid = invalidFields({
      repositoryUrl: req.repositoryUrl === undefined ? { ok: true } : checkRepositoryUrl(req.repositoryUrl),
      defaultBranch: req.defaultBranch === undefined ? { ok: true } : checkBranchName(req.defaultBranch),
    });
    if (invalid) return invalid;
    let result: Result<ProjectEntity>;
    try {
      result = await this.ds.transaction(async (tx) => {
        const project = await this.repo.lockProject(tx, req.projectId);
        if (!project) return projectNotFound(req.projectId);
        const changes = {
          ...(req.name !== undefined && req.name !== project.name ? { name: req.name } : {}),
          ...(req.repositoryUrl !== undefined && req.repositoryUrl !== project.repositoryUrl ? { repositoryUrl: req.repositoryUrl, repositoryKey: normalizeRepositoryUrl(req.repositoryUrl) } : {}),
          ...(req.defaultBranch !== undefined && req.defaultBranch !== project.defaultBranch ? { defaultBranch: req.defaultBranch } : {}),
          ...(req.triggersPerMinute !== undefined && req.triggersPerMinute !== project.triggersPerMinute
            ? { triggersPerMinute: req.triggersPerMinute }
            : {}),
        };
        if (!Object.keys(changes).length) return ok(project);
        return ok(await this.repo.changeProject(tx, project.id, { ...changes, updatedAt: new Date() }));
      });
    } catch (e) {
      if (isUniqueViolation(e, PROJECT_NAME_INDEX)) {
        return err(ErrorCode.ProjectNameTaken, `a project named ${req.name} already exists`, { field: 'name' });
      }
      throw e;
    }
    if (!result.ok) return result;
    this.logger.log({ projectId: req.projectId, name: result.data.name }, 'project updated');
    return ok(toProject(result.data));
  }
}

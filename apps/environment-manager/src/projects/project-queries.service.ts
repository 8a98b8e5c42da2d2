import { Injectable } from '@nestjs/common';
import { type Environment, ErrorCode, type Project, type Result, err, ok } from '@flightdeck/contracts';
import { toEnvironment, toProject } from './projects.mapper';
import { ProjectsRepository } from './projects.repository';

@Injectable()
export class ProjectQueries {
  constructor(private readonly repo: ProjectsRepository) {}

  async list(deleted = false): Promise<Result<{ items: Project[] }>> {
    return ok({ items: (await this.repo.all(deleted)).map(toProject) });
  }

  async get(projectId: string): Promise<Result<Project>> {
    const p = await this.repo.findById(projectId);
    return p ? ok(toProject(p)) : projectNotFound(projectId);
  }

  async environments(projectId: string, deleted = false): Promise<Result<{ items: Environment[] }>> {
    const envs = await this.repo.environmentsOf(projectId, deleted);
    // a live project has a live default environment: only an empty answer, or a list of deleted
    // ones (a deleted project has them), needs the second look
    if ((deleted || !envs.length) && !(await this.repo.findById(projectId))) return projectNotFound(projectId);
    return ok({ items: envs.map(toEnvironment) });
  }

  // another project's environment, or a deleted one, reads as unknown
  async environmentOf(projectId: string, environmentId: string): Promise<Result<Environment>> {
    const env = await this.repo.findEnvironmentOf(projectId, environmentId);
    return env ? ok(toEnvironment(env)) : environmentNotFound(environmentId);
  }

  async environment(environmentId: string): Promise<Result<Environment & { project: Project }>> {
    const env = await this.repo.findEnvironment(environmentId);
    const project = env && (await this.repo.findById(env.projectId));
    if (!env || !project) return environmentNotFound(environmentId);
    return ok({ ...toEnvironment(env), project: toProject(project) });
  }
}

export const projectNotFound = (projectId: string) => err<never>(ErrorCode.ProjectNotFound, `project ${projectId} not found`);
export const environmentNotFound = (environmentId: string) =>
  err<never>(ErrorCode.EnvironmentNotFound, `environment ${environmentId} not found`);

import { Injectable } from '@nestjs/common';
import {
  type Environment,
  ErrorCode,
  type Project,
  type Result,
  err,
  getEnvironment,
  getProject,
  listEnvironments,
  ok,
} from '@flightdeck/contracts';
import { Bus } from '@flightdeck/messaging';

export interface DeployTarget {
  project: Project;
  environment: Environment;
}

// Projects and environments belong to environment-manager: asked over the bus, never read from its schema.
@Injectable()
export class ProjectDirectory {
  constructor(private readonly bus: Bus) {}

  // The project and the environment to deploy to: the given one, else the project's default.
  // Asked on every trigger, never cached: a deleted environment or project stops taking triggers
  // as soon as environment-manager says so. One round trip: an environment comes with its project,
  // and the project and its environments are asked together.
  async resolve(projectId: string, environmentId?: string): Promise<Result<DeployTarget>> {
    if (environmentId) {
      const env = await this.bus.request(getEnvironment, { environmentId });
      if (env.ok && env.data.projectId === projectId) return ok({ project: env.data.project, environment: stripProject(env.data) });
      // rare: which of the two is missing decides the answer (a missing project is project/not-found)
      const project = await this.bus.request(getProject, { projectId });
      if (!project.ok) return project;
      return this.environmentNotFound(env, environmentId, project.data);
    }
    const [project, envs] = await Promise.all([
      this.bus.request(getProject, { projectId }),
      this.bus.request(listEnvironments, { projectId }),
    ]);
    if (!project.ok) return project;
    if (!envs.ok) return envs;
    const chosen = envs.data.items.find((e) => e.isDefault) ?? envs.data.items.find((e) => e.name === 'production');
    if (!chosen) return err(ErrorCode.EnvironmentNotFound, `project ${project.data.name} has no default environment`);
    return ok({ project: project.data, environment: chosen });
  }

  // An environment with its project, for work on an existing deployment (rollback).
  async environment(environmentId: string): Promise<Result<DeployTarget>> {
    const env = await this.bus.request(getEnvironment, { environmentId });
    if (!env.ok) return env;
    return ok({ project: env.data.project, environment: stripProject(env.data) });
  }

  private environmentNotFound(reply: Result<unknown>, environmentId: string, project: Project): Result<DeployTarget> {
    // an outage stays an outage; only a real "no such environment" becomes not-found
    if (!reply.ok && reply.error.code !== ErrorCode.EnvironmentNotFound && reply.error.code !== ErrorCode.NotFound) {
      return reply as Result<DeployTarget>;
    }
    return err(ErrorCode.EnvironmentNotFound, `environment ${environmentId} not found in project ${project.name}`);
  }
}

const stripProject = (e: Environment & { project?: Project }): Environment => {
  const { project: _project, ...environment } = e;
  return environment;
};

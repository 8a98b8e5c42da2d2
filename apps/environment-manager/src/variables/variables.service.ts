import { Injectable, Logger } from '@nestjs/common';
import {
  ErrorCode,
  type Result,
  type SetProjectVariableRequest,
  type SetVariableRequest,
  type VariableView,
  err,
  ok,
} from '@flightdeck/contracts';
import { environmentNotFound, projectNotFound } from '../projects/project-queries.service';
import { ProjectsRepository } from '../projects/projects.repository';
import { ProjectVariableEntity } from './project-variable.entity';
import { VariableEntity } from './variable.entity';
import { VariableSealer } from './variable-sealer';
import { toVariableView } from './variable-view';
import { VariablesRepository } from './variables.repository';

// Set, list and delete, at both levels. Values are never logged: only keys, owners and sensitivity.
@Injectable()
export class VariablesService {
  private readonly logger = new Logger(VariablesService.name);

  constructor(
    private readonly projects: ProjectsRepository,
    private readonly repo: VariablesRepository,
    private readonly sealer: VariableSealer,
  ) {}

  async set(req: SetVariableRequest): Promise<Result<VariableView>> {
    if (!(await this.projects.findEnvironment(req.environmentId))) return environmentNotFound(req.environmentId);
    const v = Object.assign(new VariableEntity(), {
      environmentId: req.environmentId,
      key: req.key,
      target: req.target ?? 'both',
      updatedAt: new Date(),
      ...this.sealer.columns({ environmentId: req.environmentId }, req.key, req.value, req.sensitive),
    });
    await this.repo.upsert(v);
    this.logger.log({ environmentId: req.environmentId, key: req.key, sensitive: req.sensitive, target: req.target ?? 'both' }, 'variable set');
    return ok(toVariableView(v));
  }

  async setProject(req: SetProjectVariableRequest): Promise<Result<VariableView>> {
    if (!(await this.projects.findById(req.projectId))) return projectNotFound(req.projectId);
    const v = Object.assign(new ProjectVariableEntity(), {
      projectId: req.projectId,
      key: req.key,
      target: req.target ?? 'both',
      updatedAt: new Date(),
      ...this.sealer.columns({ projectId: req.projectId }, req.key, req.value, req.sensitive),
    });
    await this.repo.upsertProject(v);
    this.logger.log({ projectId: req.projectId, key: req.key, sensitive: req.sensitive, target: req.target ?? 'both' }, 'project variable set');
    return ok(toVariableView(v));
  }

  // The environment's own variables; `effective`: with the project's it inherits (an own one of the
  // same key overrides it), each marked with its level. Views only: nothing is decrypted.
  async list(environmentId: string, effective = false): Promise<Result<{ items: VariableView[] }>> {
    const env = await this.projects.findEnvironment(environmentId);
    if (!env) return environmentNotFound(environmentId);
    const own = await this.repo.list(environmentId);
    if (!effective) return ok({ items: own.map(toVariableView) });
    const byKey = new Map<string, VariableView>();
    for (const v of await this.repo.listProject(env.projectId)) byKey.set(v.key, { ...toVariableView(v), level: 'project' });
    for (const v of own) byKey.set(v.key, { ...toVariableView(v), level: 'environment' });
    return ok({ items: [...byKey.values()].sort((a, b) => (a.key < b.key ? -1 : 1)) });
  }

  async listProject(projectId: string): Promise<Result<{ items: VariableView[] }>> {
    if (!(await this.projects.findById(projectId))) return projectNotFound(projectId);
    return ok({ items: (await this.repo.listProject(projectId)).map(toVariableView) });
  }

  async delete(environmentId: string, key: string): Promise<Result<{ key: string; deleted: true }>> {
    const env = await this.projects.findEnvironment(environmentId);
    if (!env) return environmentNotFound(environmentId);
    if (!(await this.repo.delete(environmentId, key))) {
      const inherited = (await this.repo.listProject(env.projectId)).some((v) => v.key === key);
      return err(
        ErrorCode.VariableNotFound,
        inherited
          ? `variable ${key} is not set in environment ${environmentId}: it is inherited from project ${env.projectId}, delete it there (or set it here to override it)`
          : `variable ${key} not found in environment ${environmentId}`,
      );
    }
    this.logger.log({ environmentId, key }, 'variable deleted');
    return ok({ key, deleted: true as const });
  }

  async deleteProject(projectId: string, key: string): Promise<Result<{ key: string; deleted: true }>> {
    if (!(await this.projects.findById(projectId))) return projectNotFound(projectId);
    if (!(await this.repo.deleteProject(projectId, key))) {
      return err(ErrorCode.VariableNotFound, `variable ${key} not found in project ${projectId}`);
    }
    this.logger.log({ projectId, key }, 'project variable deleted');
    return ok({ key, deleted: true as const });
  }
}

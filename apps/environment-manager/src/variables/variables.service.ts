import { Injectable, Logger } from '@nestjs/common';
import { ErrorCode, type Result, type SetVariableRequest, type VariableView, err, ok } from '@flightdeck/contracts';
import { environmentNotFound } from '../projects/project-queries.service';
import { ProjectsRepository } from '../projects/projects.repository';
import { SecretBox, variableAad } from './secret-box';
import { VariableEntity } from './variable.entity';
import { toVariableView } from './variable-view';
import { VariablesRepository } from './variables.repository';

// Set, list and delete. Values are never logged: only keys, environments and sensitivity.
@Injectable()
export class VariablesService {
  private readonly logger = new Logger(VariablesService.name);

  constructor(
    private readonly projects: ProjectsRepository,
    private readonly repo: VariablesRepository,
    private readonly box: SecretBox,
  ) {}

  async set(req: SetVariableRequest): Promise<Result<VariableView>> {
    if (!(await this.projects.findEnvironment(req.environmentId))) return environmentNotFound(req.environmentId);
    const v = Object.assign(new VariableEntity(), {
      environmentId: req.environmentId,
      key: req.key,
      sensitive: req.sensitive,
      updatedAt: new Date(),
      ...(req.sensitive ? this.sealed(req) : { valuePlain: req.value, ciphertext: null, iv: null, authTag: null }),
    });
    await this.repo.upsert(v);
    this.logger.log({ environmentId: req.environmentId, key: req.key, sensitive: req.sensitive }, 'variable set');
    return ok(toVariableView(v));
  }

  async list(environmentId: string): Promise<Result<{ items: VariableView[] }>> {
    if (!(await this.projects.findEnvironment(environmentId))) return environmentNotFound(environmentId);
    return ok({ items: (await this.repo.list(environmentId)).map(toVariableView) });
  }

  async delete(environmentId: string, key: string): Promise<Result<{ key: string; deleted: true }>> {
    if (!(await this.projects.findEnvironment(environmentId))) return environmentNotFound(environmentId);
    if (!(await this.repo.delete(environmentId, key))) {
      return err(ErrorCode.VariableNotFound, `variable ${key} not found in environment ${environmentId}`);
    }
    this.logger.log({ environmentId, key }, 'variable deleted');
    return ok({ key, deleted: true as const });
  }

  private sealed(req: SetVariableRequest) {
    const { ciphertext, iv, authTag } = this.box.seal(req.value, variableAad(req.environmentId, req.key));
    return { valuePlain: null, ciphertext, iv, authTag };
  }
}

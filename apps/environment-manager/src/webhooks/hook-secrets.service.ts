import { randomBytes } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { type Result, ok } from '@flightdeck/contracts';
import { projectNotFound } from '../projects/project-queries.service';
import { ProjectsRepository } from '../projects/projects.repository';
import { VariableSealer } from '../variables/variable-sealer';
import { SealedProjectSecrets } from './sealed-project-secrets';

// An outgoing hook's signing secret (issue 23 item 3): generated here (32 random bytes, hex),
// sealed with the keyring like a sensitive variable under key 'hook:<hookId>', opened only for the
// gateway signing a delivery. The gateway keeps the hook itself.
@Injectable()
export class HookSecretsService {
  private readonly logger = new Logger(HookSecretsService.name);
  private readonly secrets: SealedProjectSecrets;

  constructor(
    @InjectDataSource() ds: DataSource,
    private readonly projects: ProjectsRepository,
    sealer: VariableSealer,
  ) {
    this.secrets = new SealedProjectSecrets(ds, sealer, 'environments.hook_secrets');
  }

  async handle(projectId: string, hookId: string, action: 'generate' | 'open' | 'delete'): Promise<Result<{ secret: string | null }>> {
    const key = `hook:${hookId}`;
    if (action === 'delete') {
      await this.secrets.delete(projectId, key);
      return ok({ secret: null });
    }
    if (action === 'open') return ok({ secret: (await this.secrets.read(projectId, key)) ?? null });
    const project = await this.projects.findById(projectId);
    if (!project) return projectNotFound(projectId);
    const secret = randomBytes(32).toString('hex');
    await this.secrets.store(projectId, key, secret);
    this.logger.log({ projectId, hookId }, 'hook secret generated');
    return ok({ secret });
  }
}

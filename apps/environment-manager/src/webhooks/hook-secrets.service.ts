import { randomBytes } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { type Result, ok } from '@flightdeck/contracts';
import { projectNotFound } from '../projects/project-queries.service';
import { ProjectsRepository } from '../projects/projects.repository';
import { VariableSealer } from '../variables/variable-sealer';

// An outgoing hook's signing secret (issue 23 item 3): generated here (32 random bytes, hex),
// sealed with the keyring like a sensitive variable under key 'hook:<hookId>', opened only for the
// gateway signing a delivery. The gateway keeps the hook itself.
@Injectable()
export class HookSecretsService {
  private readonly logger = new Logger(HookSecretsService.name);

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly projects: ProjectsRepository,
    private readonly sealer: VariableSealer,
  ) {}

  async handle(projectId: string, hookId: string, action: 'generate' | 'open' | 'delete'): Promise<Result<{ secret: string | null }>> {
    const key = `hook:${hookId}`;
    if (action === 'delete') {
      await this.ds.query(`delete from environments.hook_secrets where project_id = $1 and key = $2`, [projectId, key]);
      return ok({ secret: null });
    }
    if (action === 'open') {
      const [row] = await this.ds.query(`select ciphertext, iv, auth_tag, key_id from environments.hook_secrets where project_id = $1 and key = $2`, [projectId, key]);
      if (!row) return ok({ secret: null });
      const secret = this.sealer.open({ projectId }, key, { sensitive: true, valuePlain: null, ciphertext: row.ciphertext, iv: row.iv, authTag: row.auth_tag, keyId: row.key_id });
      return ok({ secret: secret ?? null });
    }
    const project = await this.projects.findById(projectId);
    if (!project) return projectNotFound(projectId);
    const secret = randomBytes(32).toString('hex');
    const sealed = this.sealer.columns({ projectId }, key, secret, true);
    await this.ds.query(
      `insert into environments.hook_secrets (project_id, key, ciphertext, iv, auth_tag, key_id, updated_at)
       values ($1, $2, $3, $4, $5, $6, now())
       on conflict (project_id, key) do update
         set ciphertext = excluded.ciphertext, iv = excluded.iv, auth_tag = excluded.auth_tag, key_id = excluded.key_id, updated_at = now()`,
      [projectId, key, sealed.ciphertext, sealed.iv, sealed.authTag, sealed.keyId],
    );
    this.logger.log({ projectId, hookId }, 'hook secret generated');
    return ok({ secret });
  }
}

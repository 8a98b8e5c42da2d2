import { randomBytes } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import {
  type CreatedWebhookSecret,
  type Project,
  type Result,
  type WebhookSettings,
  normalizeRepositoryUrl,
  ok,
} from '@flightdeck/contracts';
import { projectNotFound } from '../projects/project-queries.service';
import { ProjectsRepository } from '../projects/projects.repository';
import { toProject } from '../projects/projects.mapper';
import { VariableSealer } from '../variables/variable-sealer';

const KEY = 'webhook-secret';

interface SecretRow {
  project_id: string;
  ciphertext: Buffer;
  iv: Buffer;
  auth_tag: Buffer;
  key_id: string | null;
  updated_at: Date;
}

// A project's git webhook secret: generated here (32 random bytes, hex as GitHub's own examples),
// sealed with the keyring like a sensitive variable, shown once when generated, and opened only
// for the gateway checking a delivery's signature.
@Injectable()
export class WebhookSecretsService {
  private readonly logger = new Logger(WebhookSecretsService.name);

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly projects: ProjectsRepository,
    private readonly sealer: VariableSealer,
  ) {}

  async rotate(projectId: string): Promise<Result<CreatedWebhookSecret>> {
    const project = await this.projects.findById(projectId);
    if (!project) return projectNotFound(projectId);
    const secret = randomBytes(32).toString('hex');
    const sealed = this.sealer.columns({ projectId }, KEY, secret, true);
    const [row]: { updated_at: Date }[] = await this.ds.query(
      `insert into environments.project_webhook_secrets (project_id, ciphertext, iv, auth_tag, key_id, updated_at)
       values ($1, $2, $3, $4, $5, now())
       on conflict (project_id) do update
         set ciphertext = excluded.ciphertext, iv = excluded.iv, auth_tag = excluded.auth_tag, key_id = excluded.key_id, updated_at = now()
       returning updated_at`,
      [projectId, sealed.ciphertext, sealed.iv, sealed.authTag, sealed.keyId],
    );
    this.logger.log({ projectId }, 'webhook secret generated');
    return ok({ projectId, configured: true, updatedAt: row.updated_at.toISOString(), secret });
  }

  async settings(projectId: string): Promise<Result<WebhookSettings>> {
    const project = await this.projects.findById(projectId);
    if (!project) return projectNotFound(projectId);
    const [row]: { updated_at: Date }[] = await this.ds.query(
      `select updated_at from environments.project_webhook_secrets where project_id = $1`,
      [projectId],
    );
    return ok({ projectId, configured: !!row, updatedAt: row ? row.updated_at.toISOString() : null });
  }

  // Live projects whose repository is one of these (compared normalized) and that have a secret.
  async match(repositoryUrls: string[]): Promise<Result<{ items: { project: Project; secret: string }[] }>> {
    const wanted = new Set(repositoryUrls.map(normalizeRepositoryUrl));
    const rows: (SecretRow & { repository_url: string })[] = await this.ds.query(
      `select w.*, p.repository_url from environments.project_webhook_secrets w
         join environments.projects p on p.id = w.project_id
        where p.deleted_at is null`,
    );
    const items: { project: Project; secret: string }[] = [];
    for (const r of rows.filter((row) => wanted.has(normalizeRepositoryUrl(row.repository_url)))) {
      const project = await this.projects.findById(r.project_id);
      const secret = this.sealer.open({ projectId: r.project_id }, KEY, {
        sensitive: true,
        valuePlain: null,
        ciphertext: r.ciphertext,
        iv: r.iv,
        authTag: r.auth_tag,
        keyId: r.key_id,
      });
      if (project && secret !== undefined) items.push({ project: toProject(project), secret });
    }
    return ok({ items });
  }
}

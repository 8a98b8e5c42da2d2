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
import { SealedProjectSecrets, type SealedSecretRow } from './sealed-project-secrets';

const KEY = 'webhook-secret';
const GITHUB_TOKEN = 'github-token';
type Key = typeof KEY | typeof GITHUB_TOKEN;

type SecretRow = SealedSecretRow & { key: Key };

// A project's git webhook secret: generated here (32 random bytes, hex as GitHub's own examples),
// sealed with the keyring like a sensitive variable, shown once when generated, and opened only
// for the gateway checking a delivery's signature.
@Injectable()
export class WebhookSecretsService {
  private readonly logger = new Logger(WebhookSecretsService.name);
  private readonly secrets: SealedProjectSecrets;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly projects: ProjectsRepository,
    sealer: VariableSealer,
  ) {
    this.secrets = new SealedProjectSecrets(ds, sealer, 'environments.project_webhook_secrets');
  }

  async rotate(projectId: string): Promise<Result<CreatedWebhookSecret>> {
    const project = await this.projects.findById(projectId);
    if (!project) return projectNotFound(projectId);
    const secret = randomBytes(32).toString('hex');
    await this.secrets.store(projectId, KEY, secret);
    this.logger.log({ projectId }, 'webhook secret generated');
    return ok({ ...(await this.settingsOf(projectId)), secret });
  }

  async setGithubToken(projectId: string, token: string | null): Promise<Result<WebhookSettings>> {
    const project = await this.projects.findById(projectId);
    if (!project) return projectNotFound(projectId);
    if (token === null) await this.secrets.delete(projectId, GITHUB_TOKEN);
    else await this.secrets.store(projectId, GITHUB_TOKEN, token);
    this.logger.log({ projectId, set: token !== null }, 'GitHub token changed');
    return ok(await this.settingsOf(projectId));
  }

  private async settingsOf(projectId: string): Promise<WebhookSettings> {
    const rows: { key: Key; updated_at: Date }[] = await this.ds.query(
      `select key, updated_at from environments.project_webhook_secrets where project_id = $1`,
      [projectId],
    );
    const secret = rows.find((r) => r.key === KEY);
    return { projectId, configured: !!secret, updatedAt: secret ? secret.updated_at.toISOString() : null, githubToken: rows.some((r) => r.key === GITHUB_TOKEN) };
  }

  async settings(projectId: string): Promise<Result<WebhookSettings>> {
    const project = await this.projects.findById(projectId);
    if (!project) return projectNotFound(projectId);
    return ok(await this.settingsOf(projectId));
  }

  // Live projects whose repository is one of these (compared normalized) and that have a secret,
  // with their GitHub token when they have one.
  async match(repositoryUrls: string[]): Promise<Result<{ items: { project: Project; secret: string; githubToken?: string }[] }>> {
    const wanted = [...new Set(repositoryUrls.map(normalizeRepositoryUrl))];
    // only the rows of the projects of this repository are read (indexed key), never every project's secrets
    const rows: SecretRow[] = await this.ds.query(
      `select w.* from environments.project_webhook_secrets w
         join environments.projects p on p.id = w.project_id
        where p.deleted_at is null and p.repository_key = any($1::text[])`,
      [wanted],
    );
    const open = (r: SecretRow) => this.secrets.open(r);
    const items: { project: Project; secret: string; githubToken?: string }[] = [];
    for (const r of rows.filter((row) => row.key === KEY)) {
      const project = await this.projects.findById(r.project_id);
      const secret = open(r);
      const tokenRow = rows.find((t) => t.project_id === r.project_id && t.key === GITHUB_TOKEN);
      const githubToken = tokenRow ? open(tokenRow) : undefined;
      if (project && secret !== undefined) items.push({ project: toProject(project), secret, ...(githubToken ? { githubToken } : {}) });
    }
    return ok({ items });
  }
}

import { Injectable, Logger } from '@nestjs/common';
import { ErrorCode, type ResolvedVariable, type Result, err, getDeployment, isTerminal, ok } from '@flightdeck/contracts';
import { Bus } from '@flightdeck/messaging';
import { environmentNotFound } from '../projects/project-queries.service';
import { ProjectsRepository } from '../projects/projects.repository';
import { SecretBox, SecretDecryptionError, variableAad } from './secret-box';
import type { VariableEntity } from './variable.entity';
import { VariablesRepository } from './variables.repository';

// Plaintext values, for the builder running a job: only while the deployment it names is alive and
// belongs to this environment, as the orchestrator (its owner) says. A finished, foreign or made-up
// deployment id gets nothing.
@Injectable()
export class ResolveVariablesUseCase {
  private readonly logger = new Logger(ResolveVariablesUseCase.name);

  constructor(
    private readonly projects: ProjectsRepository,
    private readonly repo: VariablesRepository,
    private readonly box: SecretBox,
    private readonly bus: Bus,
  ) {}

  async execute(req: { environmentId: string; deploymentId: string }): Promise<Result<{ items: ResolvedVariable[] }>> {
    if (!(await this.projects.findEnvironment(req.environmentId))) return environmentNotFound(req.environmentId);
    const allowed = await this.authorize(req);
    if (!allowed.ok) return allowed;

    const rows = await this.repo.list(req.environmentId);
    const items: ResolvedVariable[] = [];
    for (const row of rows) {
      const value = this.plaintext(row);
      if (value === undefined) {
        return err(
          ErrorCode.InternalError,
          `variable ${row.key} could not be decrypted: was FLIGHTDECK_SECRET_KEY changed, or the stored value altered?`,
        );
      }
      items.push({ key: row.key, value, sensitive: row.sensitive });
    }
    this.logger.log({ environmentId: req.environmentId, deploymentId: req.deploymentId, count: items.length }, 'variables resolved');
    return ok({ items });
  }

  private async authorize(req: { environmentId: string; deploymentId: string }): Promise<Result<true>> {
    const d = await this.bus.request(getDeployment, { deploymentId: req.deploymentId });
    if (!d.ok) {
      // an outage stays an outage (the builder retries it); any other answer is a refusal
      if (d.error.code === ErrorCode.ServiceUnavailable || d.error.code === ErrorCode.DeploymentNotFound) return d;
      return err(ErrorCode.InternalError, `could not check deployment ${req.deploymentId}: ${d.error.code}`);
    }
    const refuse = (why: string) => {
      this.logger.warn({ environmentId: req.environmentId, deploymentId: req.deploymentId, why }, 'variables refused');
      return err<true>(ErrorCode.InsufficientPermissions, `variables of environment ${req.environmentId} are not available: ${why}`);
    };
    if (d.data.environmentId !== req.environmentId) return refuse(`deployment ${req.deploymentId} belongs to another environment`);
    if (isTerminal(d.data.status)) return refuse(`deployment ${req.deploymentId} is already ${d.data.status}`);
    return ok(true);
  }

  private plaintext(row: VariableEntity): string | undefined {
    if (!row.sensitive) return row.valuePlain ?? '';
    try {
      return this.box.open({ ciphertext: row.ciphertext!, iv: row.iv!, authTag: row.authTag! }, variableAad(row.environmentId, row.key));
    } catch (e) {
      if (!(e instanceof SecretDecryptionError)) throw e;
      this.logger.error({ environmentId: row.environmentId, key: row.key }, e.message);
      return undefined;
    }
  }
}

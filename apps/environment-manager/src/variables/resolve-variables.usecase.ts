import { Injectable, Logger } from '@nestjs/common';
import { type Deployment, ErrorCode, type ResolvedVariable, type Result, err, getDeployment, isTerminal, ok, triggerVariablesOf, withholdsSensitive } from '@flightdeck/contracts';
import { Bus } from '@flightdeck/messaging';
import { environmentNotFound } from '../projects/project-queries.service';
import { ProjectsRepository } from '../projects/projects.repository';
import { DeploymentConfigurations } from '../configurations/deployment-configurations.service';
import { EffectiveVariables } from './effective-variables.service';
import { overTriggerVariables } from './trigger-variables';
import { undecryptableMessage } from './variable-sealer';

// Plaintext values, for the builder running a job: only while the deployment it names is alive and
// belongs to this environment, as the orchestrator (its owner) says. A finished, foreign or made-up
// deployment id gets nothing. The set is the effective one: the project's shared variables,
// overridden by the environment's own, overridden by the trigger's, each with its target and level.
@Injectable()
export class ResolveVariablesUseCase {
  private readonly logger = new Logger(ResolveVariablesUseCase.name);

  constructor(
    private readonly projects: ProjectsRepository,
    private readonly effective: EffectiveVariables,
    private readonly bus: Bus,
    private readonly configurations: DeploymentConfigurations,
  ) {}

  async execute(req: { environmentId: string; deploymentId: string }): Promise<Result<{ items: ResolvedVariable[] }>> {
    const env = await this.projects.findEnvironment(req.environmentId);
    if (!env) return environmentNotFound(req.environmentId);
    const allowed = await this.authorize(req);
    if (!allowed.ok) return allowed;
    const deployment = allowed.data;

    const { items: effective, undecryptable } = await this.effective.load(env);
    if (undecryptable.length) return err(ErrorCode.SecretUndecryptable, undecryptableMessage(undecryptable[0]));
    // a fork's pull request builds strangers' code with the project's settings, never its secrets
    const withheld = withholdsSensitive(deployment.metadata);
    const stored: ResolvedVariable[] = effective.filter((v) => !(withheld && v.sensitive)).map((v) => ({
      key: v.key,
      value: v.value,
      sensitive: v.sensitive,
      target: v.target,
      level: v.level,
      updatedAt: v.updatedAt.toISOString(),
    }));
    const items = overTriggerVariables(stored, triggerVariablesOf(deployment.metadata), deployment.createdAt);
    // what this deployment is built and run with (no sensitive value): its config diff and history read it
    await this.configurations.record(env, req.deploymentId, items);
    this.logger.log({ environmentId: req.environmentId, deploymentId: req.deploymentId, count: items.length, withheld }, 'variables resolved');
    return ok({ items });
  }

  private async authorize(req: { environmentId: string; deploymentId: string }): Promise<Result<Deployment>> {
    const d = await this.bus.request(getDeployment, { deploymentId: req.deploymentId });
    if (!d.ok) {
      // an outage stays an outage (the builder retries it); any other answer is a refusal
      if (d.error.code === ErrorCode.ServiceUnavailable || d.error.code === ErrorCode.DeploymentNotFound) return d;
      return err(ErrorCode.InternalError, `could not check deployment ${req.deploymentId}: ${d.error.code}`);
    }
    const refuse = (why: string) => {
      this.logger.warn({ environmentId: req.environmentId, deploymentId: req.deploymentId, why }, 'variables refused');
      return err<Deployment>(ErrorCode.InsufficientPermissions, `variables of environment ${req.environmentId} are not available: ${why}`);
    };
    if (d.data.environmentId !== req.environmentId) return refuse(`deployment ${req.deploymentId} belongs to another environment`);
    if (isTerminal(d.data.status)) return refuse(`deployment ${req.deploymentId} is already ${d.data.status}`);
    return ok(d.data);
  }
}

import { Injectable, Logger } from '@nestjs/common';
import {
  type CommandRequest,
  type DetectedFramework,
  type DetectedVariable,
  PREFLIGHT_READ_TIMEOUT_MS,
  type PreflightReport,
  type Result,
  type checkDeploymentConfiguration,
  ok,
} from '@flightdeck/contracts';
import { detectVariables } from '../detection/detect-variables';
import { RepositoryReadError, RepositoryReader } from '../detection/repository-reader';
import { environmentNotFound, projectNotFound } from '../projects/project-queries.service';
import { ProjectsRepository } from '../projects/projects.repository';
import { DeploymentConfigurations } from '../configurations/deployment-configurations.service';
import type { StoredValue } from '../validation/environment-values.service';
import { EffectiveVariables } from '../variables/effective-variables.service';
import { overTriggerVariables } from '../variables/trigger-variables';
import { preflightProblems } from './preflight-problems';

// A deployment's pre-flight. The repository is read at the deployed ref within
// PREFLIGHT_READ_TIMEOUT_MS; one that cannot be read (unreachable, slow, a commit sha rather than a
// branch or tag, every reader busy) does not hold the deploy: the stored values are still checked
// against their rules and the report carries a warning. The builder's own clone then tells a bad
// source apart (deployment/source-unavailable, deployment/invalid-source-ref).
@Injectable()
export class PreflightUseCase {
  private readonly logger = new Logger(PreflightUseCase.name);

  constructor(
    private readonly projects: ProjectsRepository,
    private readonly effective: EffectiveVariables,
    private readonly reader: RepositoryReader,
    private readonly configurations: DeploymentConfigurations,
  ) {}

  async execute(req: CommandRequest<typeof checkDeploymentConfiguration>): Promise<Result<PreflightReport>> {
    const project = await this.projects.findById(req.projectId);
    if (!project) return projectNotFound(req.projectId);
    const environment = await this.projects.findEnvironment(req.environmentId);
    if (!environment || environment.projectId !== project.id) return environmentNotFound(req.environmentId);

    const warnings: string[] = [];
    let detected: DetectedVariable[] = [];
    let commit: string | null = null;
    let framework: DetectedFramework | null = null;
    try {
      const snapshot = await this.reader.read(project.repositoryUrl, req.sourceRef, PREFLIGHT_READ_TIMEOUT_MS);
      const detection = detectVariables(snapshot.files);
      detected = detection.variables;
      commit = snapshot.commit;
      framework = detection.framework;
      warnings.push(...snapshot.warnings, ...detection.warnings);
    } catch (e) {
      if (!(e instanceof RepositoryReadError)) throw e;
      warnings.push(`required variables not detected: ${e.message}`);
    }
    const { items: stored, undecryptable } = await this.effective.load(environment);
    // the trigger's own variables count as set, over the stored ones
    const items = overTriggerVariables(
      stored.map((v) => ({ key: v.key, value: v.value, sensitive: v.sensitive, target: v.target, level: v.level, updatedAt: v.updatedAt.toISOString() })),
      req.variables,
      new Date().toISOString(),
    );
    const values = new Map<string, StoredValue>(items.map((v) => [v.key, v]));
    const problems = preflightProblems(detected, values, undecryptable);
    // what was checked is the deployment's configuration until its build resolves its variables
    // (a deployment failed here has one too, to compare with the last good one)
    await this.configurations.record(environment, req.deploymentId, items);
    this.logger.log(
      { deploymentId: req.deploymentId, environmentId: environment.id, commit, problems: problems.map((p) => p.key), warnings: warnings.length },
      'pre-flight checked',
    );
    return ok({ valid: problems.length === 0, problems, warnings, commit, framework });
  }
}

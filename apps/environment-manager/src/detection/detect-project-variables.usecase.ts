import { Injectable, Logger } from '@nestjs/common';
import {
  type DetectedVariableStatus,
  type DetectedVariablesReport,
  ErrorCode,
  type Result,
  err,
  ok,
} from '@flightdeck/contracts';
import { environmentNotFound, projectNotFound } from '../projects/project-queries.service';
import { ProjectsRepository } from '../projects/projects.repository';
import { EnvironmentValues, undecryptableMessage } from '../validation/environment-values.service';
import { validateValue } from '../validation/validate-value';
import { detectVariables } from './detect-variables';
import { specFor } from './known-variables';
import { RepositoryReadError, RepositoryReader } from './repository-reader';
import { generateSecret } from './secret-generator';

// What the project's repository (its default branch) says it needs, against what the environment
// has: set or not, and whether each set value passes its rule.
@Injectable()
export class DetectProjectVariablesUseCase {
  private readonly logger = new Logger(DetectProjectVariablesUseCase.name);

  constructor(
    private readonly projects: ProjectsRepository,
    private readonly stored: EnvironmentValues,
    private readonly reader: RepositoryReader,
  ) {}

  async execute(req: {
    projectId: string;
    environmentId: string;
    generate: boolean;
  }): Promise<Result<DetectedVariablesReport>> {
    const project = await this.projects.findById(req.projectId);
    if (!project) return projectNotFound(req.projectId);
    const environment = await this.projects.findEnvironment(req.environmentId);
    if (!environment || environment.projectId !== project.id) return environmentNotFound(req.environmentId);

    let snapshot;
    try {
      snapshot = await this.reader.read(project.repositoryUrl, project.defaultBranch);
    } catch (e) {
      if (!(e instanceof RepositoryReadError)) throw e;
      this.logger.warn({ projectId: project.id, reason: e.message }, 'repository not read for detection');
      return err(ErrorCode.DetectionSourceUnavailable, e.message);
    }
    const detection = detectVariables(snapshot.files);
    const { values, undecryptable } = await this.stored.load(environment.id);

    const items = detection.variables.map((v): DetectedVariableStatus => {
      if (undecryptable.includes(v.key))
        return { ...v, set: true, valid: false, message: undecryptableMessage(v.key) };
      const stored = values.get(v.key);
      if (!stored) {
        const bytes = specFor(v.key)?.generateBytes;
        return {
          ...v,
          set: false,
          valid: null,
          ...(req.generate && bytes ? { generatedValue: generateSecret(bytes) } : {}),
        };
      }
      const message = v.rule ? validateValue(v.key, stored.value, v.rule) : undefined;
      return message ? { ...v, set: true, valid: false, message } : { ...v, set: true, valid: true };
    });
    this.logger.log(
      { projectId: project.id, environmentId: environment.id, commit: snapshot.commit, count: items.length },
      'variables detected',
    );
    return ok({
      framework: detection.framework,
      commit: snapshot.commit,
      files: snapshot.read,
      items,
      missing: items.filter((i) => i.required && !i.set).map((i) => i.key),
      invalid: items.filter((i) => i.valid === false).map((i) => i.key),
      warnings: [...snapshot.warnings, ...detection.warnings],
    });
  }
}

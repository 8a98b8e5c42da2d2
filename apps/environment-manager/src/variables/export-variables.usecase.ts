import { Injectable } from '@nestjs/common';
import { type ExportedVariables, type Result, type VariableScope, ok } from '@flightdeck/contracts';
import { environmentNotFound, projectNotFound } from '../projects/project-queries.service';
import { ProjectsRepository } from '../projects/projects.repository';
import { formatDotenvValue } from './dotenv-lines';
import { VariablesRepository } from './variables.repository';

// One level's non-sensitive variables as .env text, importable again. A sensitive variable is
// never decrypted for it: its key appears as a comment line, so a reader knows it must be set.
@Injectable()
export class ExportVariablesUseCase {
  constructor(
    private readonly projects: ProjectsRepository,
    private readonly repo: VariablesRepository,
  ) {}

  async execute(scope: VariableScope): Promise<Result<ExportedVariables>> {
    let rows: { key: string; sensitive: boolean; valuePlain: string | null }[];
    if ('projectId' in scope) {
      if (!(await this.projects.findById(scope.projectId))) return projectNotFound(scope.projectId);
      rows = await this.repo.listProject(scope.projectId);
    } else {
      if (!(await this.projects.findEnvironment(scope.environmentId))) return environmentNotFound(scope.environmentId);
      rows = await this.repo.list(scope.environmentId);
    }
    const lines = rows.map((r) => (r.sensitive ? `# ${r.key} is sensitive: not exported` : `${r.key}=${formatDotenvValue(r.valuePlain ?? '')}`));
    return ok({
      text: lines.length ? `${lines.join('\n')}\n` : '',
      exportedKeys: rows.filter((r) => !r.sensitive).map((r) => r.key),
      sensitiveKeys: rows.filter((r) => r.sensitive).map((r) => r.key),
    });
  }
}

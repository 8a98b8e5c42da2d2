import { Injectable, Logger } from '@nestjs/common';
import {
  ErrorCode,
  type ImportLineReport,
  type ImportVariablesReport,
  type ImportVariablesRequest,
  MAX_IMPORT_VARIABLES,
  type Result,
  type VariableTarget,
  err,
  ok,
} from '@flightdeck/contracts';
import { environmentNotFound, projectNotFound } from '../projects/project-queries.service';
import { ProjectsRepository } from '../projects/projects.repository';
import { parseDotenv } from './dotenv-lines';
import { ProjectVariableEntity } from './project-variable.entity';
import { VariableEntity } from './variable.entity';
import { type VariableOwner, VariableSealer } from './variable-sealer';
import { VariablesRepository } from './variables.repository';

interface Existing {
  key: string;
  sensitive: boolean;
  target: VariableTarget;
  value: string | undefined;
}

// A .env body into one level (a project's or an environment's own variables), all in one
// transaction. Every line that holds something is reported: added, changed, unchanged, refused (a
// value that cannot be stored) or malformed (cannot be read). With any refused or malformed line,
// nothing changes unless the caller asked for a partial import.
@Injectable()
export class ImportVariablesUseCase {
  private readonly logger = new Logger(ImportVariablesUseCase.name);

  constructor(
    private readonly projects: ProjectsRepository,
    private readonly repo: VariablesRepository,
    private readonly sealer: VariableSealer,
  ) {}

  async execute(req: ImportVariablesRequest): Promise<Result<ImportVariablesReport>> {
    const owner: VariableOwner = req.scope;
    const rows = await this.existing(owner);
    if (!rows) return 'projectId' in owner ? projectNotFound(owner.projectId) : environmentNotFound(owner.environmentId);
    const existing = new Map(rows.map((r) => [r.key, r]));

    const parsed = parseDotenv(req.text);
    const entries = parsed.filter((p) => p.kind === 'entry').length;
    if (entries > MAX_IMPORT_VARIABLES) {
      return err(ErrorCode.InvalidInput, `text: the .env body sets ${entries} variables; one import takes at most ${MAX_IMPORT_VARIABLES}: split it`);
    }
    const lastLineOf = new Map<string, number>();
    for (const p of parsed) if (p.kind === 'entry') lastLineOf.set(p.key, p.line);

    const lines: ImportLineReport[] = [];
    const writes: { key: string; value: string; sensitive: boolean; target: VariableTarget }[] = [];
    for (const p of parsed) {
      if (p.kind !== 'entry') {
        lines.push({ line: p.line, ...(p.key ? { key: p.key } : {}), outcome: p.kind, message: p.message });
        continue;
      }
      if (lastLineOf.get(p.key) !== p.line) {
        lines.push({ line: p.line, key: p.key, outcome: 'refused', message: `line ${p.line}: ${p.key} is set again on line ${lastLineOf.get(p.key)}, which wins` });
        continue;
      }
      const before = existing.get(p.key);
      // a secret stays a secret: an import never stores a sensitive variable's new value in plain
      const sensitive = req.sensitive === true || (before?.sensitive ?? false);
      const target = req.target ?? before?.target ?? 'both';
      const same = before && before.value === p.value && before.sensitive === sensitive && before.target === target;
      lines.push({ line: p.line, key: p.key, outcome: !before ? 'added' : same ? 'unchanged' : 'changed' });
      if (!same) writes.push({ key: p.key, value: p.value, sensitive, target });
    }

    const count = (o: ImportLineReport['outcome']) => lines.filter((l) => l.outcome === o).length;
    const blocked = count('malformed') + count('refused') > 0 && !req.partial;
    const report: ImportVariablesReport = {
      applied: !blocked,
      added: count('added'),
      changed: count('changed'),
      unchanged: count('unchanged'),
      refused: count('refused'),
      malformed: count('malformed'),
      lines,
    };
    if (blocked) {
      const first = lines.find((l) => l.outcome === 'malformed' || l.outcome === 'refused')!;
      return err(
        ErrorCode.VariableImportMalformed,
        `${report.malformed + report.refused} line(s) of the .env body cannot be imported (first: ${first.message}); nothing was changed. Fix them, or import with partial=true to apply the other lines`,
        report,
      );
    }

    const now = new Date();
    await this.repo.transaction(async (tx) => {
      for (const w of writes) {
        const columns = { key: w.key, target: w.target, updatedAt: now, ...this.sealer.columns(owner, w.key, w.value, w.sensitive) };
        if ('projectId' in owner) await this.repo.upsertProject(Object.assign(new ProjectVariableEntity(), { projectId: owner.projectId, ...columns }), tx);
        else await this.repo.upsert(Object.assign(new VariableEntity(), { environmentId: owner.environmentId, ...columns }), tx);
      }
    });
    this.logger.log({ ...owner, added: report.added, changed: report.changed, refused: report.refused, malformed: report.malformed }, 'variables imported');
    return ok(report);
  }

  private async existing(owner: VariableOwner): Promise<Existing[] | undefined> {
    if ('projectId' in owner) {
      if (!(await this.projects.findById(owner.projectId))) return undefined;
      return (await this.repo.listProject(owner.projectId)).map((r) => ({ ...r, value: this.sealer.open(owner, r.key, r) }));
    }
    if (!(await this.projects.findEnvironment(owner.environmentId))) return undefined;
    return (await this.repo.list(owner.environmentId)).map((r) => ({ ...r, value: this.sealer.open(owner, r.key, r) }));
  }
}

import { Injectable } from '@nestjs/common';
import {
  ErrorCode,
  type Result,
  type ValidateVariablesRequest,
  type VariableRule,
  type VariableValidationReport,
  type VariableVerdict,
  err,
  ok,
} from '@flightdeck/contracts';
import { ruleForKey } from '../detection/known-variables';
import { environmentNotFound } from '../projects/project-queries.service';
import { ProjectsRepository } from '../projects/projects.repository';
import { EnvironmentValues, undecryptableMessage } from './environment-values.service';
import { validateValue } from './validate-value';

export const verdictOf = (key: string, value: string, rule: VariableRule | null): VariableVerdict => {
  const message = rule ? validateValue(key, value, rule) : undefined;
  return message ? { key, rule, valid: false, message } : { key, rule, valid: true };
};

export const reportOf = (results: VariableVerdict[]): VariableValidationReport => ({
  valid: results.every((r) => r.valid),
  errors: Object.fromEntries(
    results.filter((r) => !r.valid).map((r) => [r.key, r.message ?? `${r.key} is not valid`]),
  ),
  results,
});

// A value as given, a stored variable, or the whole environment: every failure at once, each
// naming its variable. Values (decrypted ones too) never leave this service.
@Injectable()
export class ValidateVariablesUseCase {
  constructor(
    private readonly projects: ProjectsRepository,
    private readonly stored: EnvironmentValues,
  ) {}

  async execute(req: ValidateVariablesRequest): Promise<Result<VariableValidationReport>> {
    if (!(await this.projects.findEnvironment(req.environmentId)))
      return environmentNotFound(req.environmentId);
    if (req.key !== undefined && req.value !== undefined) {
      return ok(reportOf([verdictOf(req.key, req.value, req.rule ?? ruleForKey(req.key))]));
    }
    const { values, undecryptable } = await this.stored.load(req.environmentId);
    const broken = (key: string): VariableVerdict => ({
      key,
      rule: ruleForKey(key),
      valid: false,
      message: undecryptableMessage(key),
    });
    if (req.key !== undefined) {
      if (undecryptable.includes(req.key)) return ok(reportOf([broken(req.key)]));
      const v = values.get(req.key);
      if (!v)
        return err(
          ErrorCode.VariableNotFound,
          `variable ${req.key} not found in environment ${req.environmentId}`,
        );
      return ok(reportOf([verdictOf(req.key, v.value, req.rule ?? ruleForKey(req.key))]));
    }
    const results = [
      ...[...values].map(([key, v]) => verdictOf(key, v.value, ruleForKey(key))),
      ...undecryptable.map(broken),
    ];
    return ok(reportOf(results.sort((a, b) => a.key.localeCompare(b.key))));
  }
}

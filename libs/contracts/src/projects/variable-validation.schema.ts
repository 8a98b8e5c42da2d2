import { z } from 'zod';
import { defineCommand } from '../define';
import { Subjects } from '../subjects';
import { Id } from '../common.schema';
import { VariableKey } from './variable.schema';
import { VariableRule } from './variable-rule.schema';

// One value ({key, value, rule?}), one stored variable ({key}) or, with neither, every variable of
// the environment. Without a rule, the known rule for that key applies (DATABASE_URL: a Postgres URL).
export const ValidateVariablesBody = z
  .object({
    key: VariableKey.optional(),
    value: z
      .string()
      .max(64 * 1024)
      .optional(),
    rule: VariableRule.optional(),
  })
  .strict()
  .refine((b) => b.key !== undefined || (b.value === undefined && b.rule === undefined), {
    message: 'a value or a rule needs the key it belongs to',
    path: ['key'],
  });
export type ValidateVariablesBody = z.infer<typeof ValidateVariablesBody>;

export const ValidateVariablesRequest = z
  .object({
    environmentId: Id,
    key: VariableKey.optional(),
    value: z
      .string()
      .max(64 * 1024)
      .optional(),
    rule: VariableRule.optional(),
  })
  .strict();
export type ValidateVariablesRequest = z.infer<typeof ValidateVariablesRequest>;

export const VariableVerdict = z.object({
  key: VariableKey,
  /** the rule checked, or null when none is known for this key (nothing to check) */
  rule: VariableRule.nullable(),
  valid: z.boolean(),
  /** why it failed: names the variable, never shows a value */
  message: z.string().optional(),
});
export type VariableVerdict = z.infer<typeof VariableVerdict>;

export const VariableValidationReport = z.object({
  valid: z.boolean(),
  /** every failure at once, keyed by variable */
  errors: z.record(VariableKey, z.string()),
  results: z.array(VariableVerdict),
});
export type VariableValidationReport = z.infer<typeof VariableValidationReport>;

export const validateVariables = defineCommand({
  subject: Subjects.variables.validate,
  request: ValidateVariablesRequest,
  reply: VariableValidationReport,
});

import { z } from 'zod';
import { defineCommand } from '../define';
import { Subjects } from '../subjects';
import { Id, IsoDate, listOf } from '../common.schema';
import { ErrorCode } from '../errors/error-codes';
import { issueParams } from '../result';

export const VariableKey = z
  .string()
  .min(1)
  .max(256)
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'letters, digits and underscores, not starting with a digit');

export const MASKED_VALUE = '***';

// As every reader sees it: a sensitive value is always MASKED_VALUE.
export const VariableView = z.object({
  key: VariableKey,
  value: z.string(),
  sensitive: z.boolean(),
  updatedAt: IsoDate,
});
export type VariableView = z.infer<typeof VariableView>;

// Tab, line feed and carriage return are allowed (PEM keys, multi-line values); NUL, the other C0
// controls and DEL are not: NUL cannot reach a process's environment (it ends the string), and the
// others rewrite what a terminal or a log viewer shows, so a value could hide or forge text.
const isForbidden = (c: number) => (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c === 0x7f;

/** the first character a variable value may not hold, or undefined */
export const forbiddenCharacterIn = (value: string): { codePoint: string; position: number } | undefined => {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (isForbidden(c)) return { codePoint: `U+${c.toString(16).toUpperCase().padStart(4, '0')}`, position: i + 1 };
  }
  return undefined;
};

const SetVariableFields = z
  .object({
    environmentId: Id,
    key: VariableKey,
    value: z.string().max(64 * 1024),
    sensitive: z.boolean().default(false),
  })
  .strict();

// Over HTTP the environment and the key come from the path.
export const SetVariableBody = SetVariableFields.omit({ environmentId: true, key: true });

// Checked with the key at hand, so the refusal names the variable (never its value).
export const SetVariableRequest = SetVariableFields.superRefine(({ key, value }, ctx) => {
  const bad = forbiddenCharacterIn(value);
  if (!bad) return;
  const name = VariableKey.safeParse(key).success ? key : 'a variable';
  ctx.addIssue({
    code: z.ZodIssueCode.custom,
    path: ['value'],
    message: `${name} may not hold control characters other than tab, line feed and carriage return (found ${bad.codePoint} at character ${bad.position})`,
    params: issueParams(ErrorCode.VariableInvalidValue),
  });
});
export type SetVariableRequest = z.infer<typeof SetVariableRequest>;

export const setVariable = defineCommand({
  subject: Subjects.variables.set,
  request: SetVariableRequest,
  reply: VariableView,
});
export const deleteVariable = defineCommand({
  subject: Subjects.variables.delete,
  request: z.object({ environmentId: Id, key: VariableKey }).strict(),
  reply: z.object({ key: VariableKey, deleted: z.literal(true) }),
});
export const listVariables = defineCommand({
  subject: Subjects.variables.list,
  request: z.object({ environmentId: Id }).strict(),
  reply: listOf(VariableView),
});

export const ResolvedVariable = z.object({ key: VariableKey, value: z.string(), sensitive: z.boolean() });
export type ResolvedVariable = z.infer<typeof ResolvedVariable>;
// Plaintext, for the builder only: the job's deployment id is checked against the environment.
export const resolveVariables = defineCommand({
  subject: Subjects.variables.resolve,
  request: z.object({ environmentId: Id, deploymentId: Id }).strict(),
  reply: listOf(ResolvedVariable),
});

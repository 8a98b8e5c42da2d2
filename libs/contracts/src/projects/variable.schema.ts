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

// Where a value reaches: the install and build steps (`build`), the running app (`runtime`), or both.
export const VariableTarget = z.enum(['build', 'runtime', 'both']);
export type VariableTarget = z.infer<typeof VariableTarget>;
/** does a variable of this target reach the install/build steps (`build`) or the running app (`runtime`)? */
export const reachesStage = (target: VariableTarget | undefined, stage: 'build' | 'runtime') =>
  (target ?? 'both') === 'both' || target === stage;

// Where a resolved value came from: precedence is project < environment < trigger.
export const VariableLevel = z.enum(['project', 'environment', 'trigger']);
export type VariableLevel = z.infer<typeof VariableLevel>;

// As every reader sees it: a sensitive value is always MASKED_VALUE.
export const VariableView = z.object({
  key: VariableKey,
  value: z.string(),
  sensitive: z.boolean(),
  /** absent in replies of services older than issue 15: read as `both` */
  target: VariableTarget.optional(),
  /** in an environment's effective list: where the value in force was set */
  level: VariableLevel.optional(),
  updatedAt: IsoDate,
});
export type VariableView = z.infer<typeof VariableView>;

/** GET …/variables?effective=true: the environment's variables with those it inherits from its project */
export const ListVariablesQuery = z.object({ effective: z.enum(['true', 'false']).optional() }).strict();

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

export const SetVariableFields = z
  .object({
    environmentId: Id,
    key: VariableKey,
    value: z.string().max(64 * 1024),
    sensitive: z.boolean().default(false),
    /** absent: `both` */
    target: VariableTarget.optional(),
  })
  .strict();

// Over HTTP the environment and the key come from the path.
export const SetVariableBody = SetVariableFields.omit({ environmentId: true, key: true });

/** why a value cannot be stored (names the variable, never shows the value), or undefined */
export const forbiddenValueMessage = (key: string, value: string): string | undefined => {
  const bad = forbiddenCharacterIn(value);
  if (!bad) return undefined;
  const name = VariableKey.safeParse(key).success ? key : 'a variable';
  return `${name} may not hold control characters other than tab, line feed and carriage return (found ${bad.codePoint} at character ${bad.position})`;
};

// Checked with the key at hand, so the refusal names the variable (never its value).
export const refineVariableValue = ({ key, value }: { key: string; value: string }, ctx: z.RefinementCtx) => {
  const message = forbiddenValueMessage(key, value);
  if (!message) return;
  ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['value'], message, params: issueParams(ErrorCode.VariableInvalidValue) });
};
export const SetVariableRequest = SetVariableFields.superRefine(refineVariableValue);
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
  // effective: with the project's variables it inherits, each marked with its level
  request: z.object({ environmentId: Id, effective: z.boolean().optional() }).strict(),
  reply: listOf(VariableView),
});

export const ResolvedVariable = z.object({
  key: VariableKey,
  value: z.string(),
  sensitive: z.boolean(),
  /** where it reaches (absent: both); the builder gives `build` ones only to install and build, `runtime` ones only to the release */
  target: VariableTarget.optional(),
  /** the level it was set at: an environment's value overrides the project's of the same key */
  level: VariableLevel.optional(),
  /** when that value was last written */
  updatedAt: IsoDate.optional(),
});
export type ResolvedVariable = z.infer<typeof ResolvedVariable>;
// Plaintext, for the builder only: the job's deployment id is checked against the environment.
// The effective set: the project's variables, overridden key by key by the environment's.
export const resolveVariables = defineCommand({
  subject: Subjects.variables.resolve,
  request: z.object({ environmentId: Id, deploymentId: Id }).strict(),
  reply: listOf(ResolvedVariable),
});

export const MAX_TRIGGER_VARIABLES = 50;

// Variables given with one trigger, over the environment's and the project's for that deployment
// only (level `trigger`, target both). Not for secrets: they are kept with the deployment in
// plaintext and shown with it; a secret is set as a sensitive variable of the environment.
export const TriggerVariables = z
  .record(VariableKey, z.string().max(64 * 1024))
  .superRefine((vars, ctx) => {
    const keys = Object.keys(vars);
    if (keys.length > MAX_TRIGGER_VARIABLES) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: `at most ${MAX_TRIGGER_VARIABLES} variables per trigger, got ${keys.length}` });
    }
    for (const key of keys) {
      const message = forbiddenValueMessage(key, vars[key]);
      if (message) ctx.addIssue({ code: z.ZodIssueCode.custom, path: [key], message, params: issueParams(ErrorCode.VariableInvalidValue) });
    }
  });
export type TriggerVariables = z.infer<typeof TriggerVariables>;

/** the variables a deployment was triggered with (its metadata.triggerVariables), if any */
export const triggerVariablesOf = (metadata: Record<string, unknown> | null | undefined): TriggerVariables | undefined => {
  const parsed = TriggerVariables.safeParse(metadata?.triggerVariables);
  return parsed.success && Object.keys(parsed.data).length ? parsed.data : undefined;
};

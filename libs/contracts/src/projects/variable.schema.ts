import { z } from 'zod';
import { defineCommand } from '../define';
import { Subjects } from '../subjects';
import { Id, IsoDate, listOf } from '../common.schema';

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

export const SetVariableRequest = z
  .object({
    environmentId: Id,
    key: VariableKey,
    value: z.string().max(64 * 1024),
    sensitive: z.boolean().default(false),
  })
  .strict();
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

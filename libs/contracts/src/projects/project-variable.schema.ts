import { z } from 'zod';
import { defineCommand } from '../define';
import { Subjects } from '../subjects';
import { Id, listOf } from '../common.schema';
import { SetVariableFields, VariableKey, VariableTarget, VariableView, refineVariableValue } from './variable.schema';

// Project-wide variables: every environment of the project inherits them, and an environment
// variable of the same key overrides them (project < environment < trigger).
const SetProjectVariableFields = SetVariableFields.omit({ environmentId: true }).extend({ projectId: Id }).strict();
export const SetProjectVariableRequest = SetProjectVariableFields.superRefine(refineVariableValue);
export type SetProjectVariableRequest = z.infer<typeof SetProjectVariableRequest>;

export const setProjectVariable = defineCommand({
  subject: Subjects.variables.setProject,
  request: SetProjectVariableRequest,
  reply: VariableView,
});
export const deleteProjectVariable = defineCommand({
  subject: Subjects.variables.deleteProject,
  request: z.object({ projectId: Id, key: VariableKey }).strict(),
  reply: z.object({ key: VariableKey, deleted: z.literal(true) }),
});
export const listProjectVariables = defineCommand({
  subject: Subjects.variables.listProject,
  request: z.object({ projectId: Id }).strict(),
  reply: listOf(VariableView),
});

// One level: a project's own variables, or an environment's own (not what it inherits).
export const VariableScope = z.union([z.object({ projectId: Id }).strict(), z.object({ environmentId: Id }).strict()]);
export type VariableScope = z.infer<typeof VariableScope>;

export const MAX_IMPORT_BYTES = 512 * 1024;
/** variables per import body: one transaction writes them, within the command's timeout */
export const MAX_IMPORT_VARIABLES = 1000;

// Options of an import, as query parameters over HTTP; the body is the .env text.
export const ImportVariablesQuery = z
  .object({
    /** apply the readable lines even when others are malformed (default: nothing changes then) */
    partial: z.enum(['true', 'false']).default('false'),
    /** `true`: store every imported value sealed; otherwise a new variable is plain and an existing one keeps its sensitivity (a secret is never made plain by an import) */
    sensitive: z.enum(['true', 'false']).optional(),
    /** for every imported variable; otherwise a new one gets `both` and an existing one keeps its target */
    target: VariableTarget.optional(),
  })
  .strict();
export type ImportVariablesQuery = z.infer<typeof ImportVariablesQuery>;

export const ImportVariablesRequest = z
  .object({
    scope: VariableScope,
    text: z.string().max(MAX_IMPORT_BYTES),
    /** apply the readable lines even when others are malformed or refused (default: nothing changes then) */
    partial: z.boolean().optional(),
    sensitive: z.boolean().optional(),
    target: VariableTarget.optional(),
  })
  .strict();
export type ImportVariablesRequest = z.infer<typeof ImportVariablesRequest>;

// What became of each line that holds something (blank lines and comments are not reported).
export const ImportLineOutcome = z.enum(['added', 'changed', 'unchanged', 'refused', 'malformed']);
export const ImportLineReport = z.object({
  /** 1-based line number in the body */
  line: z.number().int().positive(),
  key: VariableKey.optional(),
  outcome: ImportLineOutcome,
  /** why a line was refused or could not be read; never quotes a value */
  message: z.string().optional(),
});
export type ImportLineReport = z.infer<typeof ImportLineReport>;

export const ImportVariablesReport = z.object({
  /** false: nothing was changed (malformed or refused lines, and no partial import) */
  applied: z.boolean(),
  added: z.number().int(),
  changed: z.number().int(),
  unchanged: z.number().int(),
  refused: z.number().int(),
  malformed: z.number().int(),
  lines: z.array(ImportLineReport),
});
export type ImportVariablesReport = z.infer<typeof ImportVariablesReport>;

export const importVariables = defineCommand({
  subject: Subjects.variables.import,
  request: ImportVariablesRequest,
  reply: ImportVariablesReport,
  timeoutMs: 30_000,
});

// The non-sensitive variables of one level as .env text; sensitive ones appear as comment lines
// naming the key only (`# API_TOKEN is sensitive: not exported`), and in `sensitiveKeys`.
export const ExportedVariables = z.object({
  text: z.string(),
  exportedKeys: z.array(VariableKey),
  sensitiveKeys: z.array(VariableKey),
});
export type ExportedVariables = z.infer<typeof ExportedVariables>;
export const exportVariables = defineCommand({
  subject: Subjects.variables.export,
  request: VariableScope,
  reply: ExportedVariables,
});

// One pass of key rotation: re-seals up to a time budget's worth of values under the current key,
// batch by batch, each batch in its own transaction; run again until `remaining` is 0.
export const RotateSecretKeyRequest = z
  .object({
    /** values per batch (one transaction each); default 100 */
    batchSize: z.number().int().min(1).max(1000).optional(),
    /** stop starting new batches after this long (the reply must come within the command's timeout); default 10 s, 0: one batch */
    budgetMs: z.number().int().min(0).max(20_000).optional(),
  })
  .strict();
export const RotateSecretKeyReport = z.object({
  /** the id of the current key, which every rotated value now records */
  keyId: z.string(),
  rotated: z.number().int(),
  /** values still sealed under another key (or under none recorded): 0 means done */
  remaining: z.number().int(),
  done: z.boolean(),
});
export type RotateSecretKeyReport = z.infer<typeof RotateSecretKeyReport>;
export const rotateSecretKey = defineCommand({
  subject: Subjects.variables.rotateKey,
  request: RotateSecretKeyRequest,
  reply: RotateSecretKeyReport,
  timeoutMs: 30_000,
});

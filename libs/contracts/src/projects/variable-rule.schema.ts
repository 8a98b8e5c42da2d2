import { z } from 'zod';
import { ErrorCode } from '../errors/error-codes';
import { issueParams } from '../result';

// What a variable's value must look like, as data: environment-manager checks values against it and
// the dashboard shows it. Each kind says in its message what was wrong, never the value itself.

export const ApiKeyProvider = z.enum([
  'anthropic',
  'openai',
  'clerk-publishable',
  'clerk-secret',
  'supabase',
  'google',
  'aws-access-key-id',
]);
export type ApiKeyProvider = z.infer<typeof ApiKeyProvider>;

const MAX_PATTERN = 500;

const RuleKinds = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('http-url') }).strict(),
  z.object({ kind: z.literal('postgres-url') }).strict(),
  z.object({ kind: z.literal('mongodb-url') }).strict(),
  z.object({ kind: z.literal('redis-url') }).strict(),
  z
    .object({
      kind: z.literal('api-key'),
      provider: ApiKeyProvider.optional(),
      minLength: z.number().int().min(1).max(4096).optional(),
    })
    .strict(),
  z.object({ kind: z.literal('jwt') }).strict(),
  // random secrets (NEXTAUTH_SECRET): at least minLength characters, no whitespace
  z.object({ kind: z.literal('secret'), minLength: z.number().int().min(1).max(4096) }).strict(),
  z
    .object({
      kind: z.literal('length'),
      min: z.number().int().min(0).optional(),
      max: z.number().int().min(1).optional(),
    })
    .strict(),
  z
    .object({
      kind: z.literal('pattern'),
      /** a JavaScript regular expression the whole value must match (anchor it yourself) */
      pattern: z.string().min(1).max(MAX_PATTERN),
      flags: z
        .string()
        .regex(/^[imsu]*$/, 'only the flags i, m, s and u')
        .optional(),
      /** what the pattern means, for the message: "a semantic version" */
      description: z.string().max(200).optional(),
    })
    .strict(),
]);

// A rule that cannot work is refused where it arrives, with variable/invalid-rule.
export const VariableRule = RuleKinds.superRefine((rule, ctx) => {
  const refuse = (path: string, message: string) =>
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      path: [path],
      message,
      params: issueParams(ErrorCode.VariableInvalidRule),
    });
  if (rule.kind === 'pattern') {
    try {
      new RegExp(rule.pattern, rule.flags);
    } catch (e) {
      refuse('pattern', `the pattern does not compile: ${(e as Error).message}`);
    }
  }
  if (rule.kind === 'length' && rule.min !== undefined && rule.max !== undefined && rule.min > rule.max) {
    refuse('min', `min (${rule.min}) must not be greater than max (${rule.max})`);
  }
});
export type VariableRule = z.infer<typeof VariableRule>;
export type VariableRuleKind = VariableRule['kind'];

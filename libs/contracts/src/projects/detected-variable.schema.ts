import { z } from 'zod';
import { defineCommand } from '../define';
import { Subjects } from '../subjects';
import { Id } from '../common.schema';
import { VariableKey } from './variable.schema';
import { VariableRule } from './variable-rule.schema';

// What a project needs, read from its repository (package.json dependencies, .env.example or
// .env.sample, the framework) at its default branch.
export const DetectedVariable = z.object({
  key: VariableKey,
  description: z.string(),
  example: z.string(),
  required: z.boolean(),
  sensitive: z.boolean(),
  rule: VariableRule.nullable(),
  /** a random secret the platform can make (NEXTAUTH_SECRET) */
  generatable: z.boolean(),
  /** why it is listed: "dependency @prisma/client", ".env.example", "framework nextjs" */
  sources: z.array(z.string()),
});
export type DetectedVariable = z.infer<typeof DetectedVariable>;

export const DetectedFramework = z.enum([
  'nextjs',
  'remix',
  'nuxt',
  'sveltekit',
  'astro',
  'vite',
  'express',
  'nestjs',
  'node',
  'unknown',
]);
export type DetectedFramework = z.infer<typeof DetectedFramework>;

export const DetectedVariableStatus = DetectedVariable.extend({
  /** whether the environment has this variable */
  set: z.boolean(),
  /** whether its value passes the rule; null when it is not set */
  valid: z.boolean().nullable(),
  message: z.string().optional(),
  /** a fresh random value for a generatable secret that is not set, when asked for (generate=true) */
  generatedValue: z.string().optional(),
});
export type DetectedVariableStatus = z.infer<typeof DetectedVariableStatus>;

// generate=true: a fresh value for each generatable secret that is not set (nothing is stored)
export const DetectedVariablesQuery = z.object({ generate: z.enum(['true', 'false']).optional() }).strict();

export const DetectedVariablesReport = z.object({
  framework: DetectedFramework,
  /** the commit read */
  commit: z.string(),
  /** the files read, of package.json, .env.example and .env.sample */
  files: z.array(z.string()),
  items: z.array(DetectedVariableStatus),
  /** required variables not set, and set ones whose value fails its rule */
  missing: z.array(VariableKey),
  invalid: z.array(VariableKey),
  /** what could not be read (package.json that is not JSON, an example file too large) */
  warnings: z.array(z.string()),
});
export type DetectedVariablesReport = z.infer<typeof DetectedVariablesReport>;

export const detectVariables = defineCommand({
  subject: Subjects.variables.detect,
  request: z.object({ projectId: Id, environmentId: Id, generate: z.boolean().default(false) }).strict(),
  reply: DetectedVariablesReport,
  // a shallow clone of the repository: bounded to 30 s in environment-manager
  timeoutMs: 40_000,
});

import { z } from 'zod';
import { defineCommand } from '../define';
import { Subjects } from '../subjects';
import { Id } from '../common.schema';
import { TriggerVariables, VariableKey } from './variable.schema';
import { DetectedFramework } from './detected-variable.schema';

// A deployment's pre-flight (phase `validating`): what the source at the deployed ref needs
// (detection) against what the environment has, and every stored value against its rule.
export const ConfigurationProblem = z.object({
  key: VariableKey,
  /** missing: required and not set; invalid: set, and its value fails its rule */
  kind: z.enum(['missing', 'invalid']),
  /** names the variable, never shows its value */
  message: z.string(),
});
export type ConfigurationProblem = z.infer<typeof ConfigurationProblem>;

export const PreflightReport = z.object({
  valid: z.boolean(),
  /** every problem at once, one per key, sorted by key */
  problems: z.array(ConfigurationProblem),
  /** what could not be checked; a repository that could not be read is one (the stored values are still checked) */
  warnings: z.array(z.string()),
  /** the commit detection read, or null when the repository was not read */
  commit: z.string().nullable(),
  framework: DetectedFramework.nullable(),
});
export type PreflightReport = z.infer<typeof PreflightReport>;

export const PREFLIGHT_READ_TIMEOUT_MS = 5_000;

export const checkDeploymentConfiguration = defineCommand({
  subject: Subjects.variables.preflight,
  // variables: the trigger's own, which count as set
  request: z
    .object({ projectId: Id, environmentId: Id, deploymentId: Id, sourceRef: z.string().min(1).max(255), variables: TriggerVariables.optional() })
    .strict(),
  reply: PreflightReport,
  // environment-manager gives the repository read PREFLIGHT_READ_TIMEOUT_MS, then checks without it
  timeoutMs: PREFLIGHT_READ_TIMEOUT_MS + 5_000,
});

import { z } from 'zod';
import { defineCommand } from '../define';
import { Subjects } from '../subjects';
import { Id, IsoDate } from '../common.schema';
import { VariableKey, VariableLevel, VariableTarget } from './variable.schema';

// What a deployment was built and run with, recorded by environment-manager when the builder
// resolves its variables: each variable's version (when its value was written), the value of a
// non-sensitive one, never a sensitive one's; and the environment's settings at that moment.
export const ConfiguredVariable = z.object({
  key: VariableKey,
  sensitive: z.boolean(),
  target: VariableTarget.optional(),
  level: VariableLevel.optional(),
  /** the value of a non-sensitive variable; null for a sensitive one */
  value: z.string().nullable(),
  /** when the value was written: a sensitive one's version reference */
  version: z.string(),
});
export type ConfiguredVariable = z.infer<typeof ConfiguredVariable>;

export const DeploymentConfiguration = z.object({
  deploymentId: Id,
  environmentId: Id,
  recordedAt: IsoDate,
  variables: z.array(ConfiguredVariable),
  /** the environment's settings (type, limits, concurrency policy, build settings...) */
  settings: z.record(z.unknown()),
});
export type DeploymentConfiguration = z.infer<typeof DeploymentConfiguration>;

export const VariableDifference = z.object({
  key: VariableKey,
  change: z.enum(['added', 'removed', 'changed']),
  sensitive: z.boolean(),
  /** non-sensitive only: the value in `against` (null: not set there) and in this deployment */
  from: z.string().nullable().optional(),
  to: z.string().nullable().optional(),
  /** target or level differ too */
  detail: z.array(z.string()).optional(),
});
export type VariableDifference = z.infer<typeof VariableDifference>;

export const SettingDifference = z.object({ path: z.string(), from: z.unknown(), to: z.unknown() });
export type SettingDifference = z.infer<typeof SettingDifference>;

export const ConfigurationDiff = z.object({
  deploymentId: Id,
  against: Id,
  /** whose recorded configuration each side is (a rollback ran with its target's) */
  configurationOf: z.object({ deployment: Id, against: Id }),
  variables: z.array(VariableDifference),
  settings: z.array(SettingDifference),
});
export type ConfigurationDiff = z.infer<typeof ConfigurationDiff>;

export const ConfigDiffQuery = z.object({ against: Id }).strict();

// `deploymentId` and `against` are the deployments whose recorded configurations are compared
// (the caller maps a rollback to its target); deployment/not-found when one has none recorded.
export const diffDeploymentConfigurations = defineCommand({
  subject: Subjects.variables.configurationDiff,
  request: z.object({ deploymentId: Id, against: Id }).strict(),
  reply: ConfigurationDiff.omit({ configurationOf: true }),
});

export const getDeploymentConfiguration = defineCommand({
  subject: Subjects.variables.configuration,
  request: z.object({ deploymentId: Id }).strict(),
  reply: DeploymentConfiguration,
});

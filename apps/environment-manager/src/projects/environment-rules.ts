import { type BuildSettings, type EnvironmentType, ErrorCode, type ProtectionRules, type Result, type UpdateEnvironmentBody, applyBuildSettingsPatch, err } from '@flightdeck/contracts';

// What a change to an environment may do, decided without the database.

export interface EnvironmentState {
  id: string;
  name: string;
  type: EnvironmentType;
  isDefault: boolean;
  buildSettings?: BuildSettings;
  branch?: string | null;
  autoDeploy?: boolean;
  allowedRefs?: string[] | null;
  protection?: ProtectionRules | null;
  domains?: string[];
}

export type EnvironmentPatch = Partial<
  Pick<EnvironmentState, 'name' | 'type' | 'isDefault' | 'buildSettings' | 'branch' | 'autoDeploy' | 'allowedRefs' | 'protection' | 'domains'>
>;

const sameSettings = (a: BuildSettings, b: BuildSettings) =>
  JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());

// Only the fields that change: an empty patch writes nothing and publishes nothing.
export const changesOf = (env: EnvironmentState, body: UpdateEnvironmentBody): EnvironmentPatch => {
  const changes: EnvironmentPatch = {};
  if (body.name !== undefined && body.name !== env.name) changes.name = body.name;
  if (body.type !== undefined && body.type !== env.type) changes.type = body.type;
  if (body.isDefault !== undefined && body.isDefault !== env.isDefault) changes.isDefault = body.isDefault;
  if (body.branch !== undefined && body.branch !== (env.branch ?? null)) changes.branch = body.branch;
  if (body.autoDeploy !== undefined && body.autoDeploy !== (env.autoDeploy ?? true)) changes.autoDeploy = body.autoDeploy;
  if (body.allowedRefs !== undefined) {
    // [] and null both mean any ref: stored as null; the list as given otherwise (order kept, duplicates dropped)
    const next = body.allowedRefs?.length ? [...new Set(body.allowedRefs)] : null;
    if (JSON.stringify(next) !== JSON.stringify(env.allowedRefs?.length ? env.allowedRefs : null)) changes.allowedRefs = next;
  }
  if (body.protection !== undefined && JSON.stringify(body.protection) !== JSON.stringify(env.protection ?? null)) changes.protection = body.protection;
  if (body.domains !== undefined) {
    const next = body.domains ?? [];
    if (JSON.stringify(next) !== JSON.stringify(env.domains ?? [])) changes.domains = next;
  }
  if (body.buildSettings) {
    const next = applyBuildSettingsPatch(env.buildSettings ?? {}, body.buildSettings);
    if (!sameSettings(next, env.buildSettings ?? {})) changes.buildSettings = next;
  }
  return changes;
};

// A project always has one default: it moves by making another environment the default, never by
// un-defaulting the current one.
export const refuseUpdate = (env: EnvironmentState, changes: EnvironmentPatch): Result<never> | undefined =>
  changes.isDefault === false
    ? err(
        ErrorCode.EnvironmentDefaultRequired,
        `environment ${env.name} is the project's default; make another environment the default instead`,
        { field: 'isDefault' },
      )
    : undefined;

export const refuseDelete = (env: EnvironmentState): Result<never> | undefined =>
  env.isDefault
    ? err(ErrorCode.EnvironmentIsDefault, `environment ${env.name} is the project's default and cannot be deleted; make another environment the default first`)
    : undefined;

/** `domain`: the one taken, when the database said which */
export const domainTaken = (domain?: string): Result<never> =>
  err(ErrorCode.EnvironmentDomainTaken, `${domain ?? 'a domain of the list'} is already served by another environment; remove it there first`, {
    field: 'domains',
  });

export const nameTaken = (name: string): Result<never> =>
  err(ErrorCode.EnvironmentNameTaken, `another environment of this project is named ${name}`, { field: 'name' });

export const restoreRefused = (name: string): Result<never> =>
  err(ErrorCode.EnvironmentNameTaken, `cannot restore ${name}: another environment of this project took that name since; rename that one first`, {
    field: 'name',
  });

import { z } from 'zod';
import { defineCommand, defineEvent } from '../define';
import { Subjects } from '../subjects';
import { Id } from '../common.schema';
import { AllowedRefs, CustomDomains, Environment, EnvironmentName, EnvironmentType, Project, PushBranch } from './project.schema';
import { BuildSettingsPatch } from '../builds/build-settings.schema';
import { ProtectionRules } from './protection-rules.schema';

// Environments as first-class: created, renamed, retyped, made default, soft-deleted and restored.
// Every request names the project: environment-manager, which owns both, checks the environment is
// that project's in the same transaction that changes it (another project's reads as not found).

/** the body of POST /projects/:projectId/environments */
export const CreateEnvironmentBody = z
  .object({
    name: EnvironmentName,
    type: EnvironmentType,
    /** makes it the project's default; the previous default stops being one in the same transaction */
    isDefault: z.boolean().optional(),
  })
  .strict();
export type CreateEnvironmentBody = z.infer<typeof CreateEnvironmentBody>;

export const CreateEnvironmentRequest = CreateEnvironmentBody.extend({ projectId: Id }).strict();
export type CreateEnvironmentRequest = z.infer<typeof CreateEnvironmentRequest>;

/** the body of PATCH /projects/:projectId/environments/:environmentId; what it leaves out is kept */
export const UpdateEnvironmentBody = z
  .object({
    name: EnvironmentName.optional(),
    type: EnvironmentType.optional(),
    /** true moves the default here; false is refused while it is the project's only default */
    isDefault: z.boolean().optional(),
    /** the provider its deployments are released by, with its settings (replaces the previous one); null: the internal provider */
    provider: Environment.shape.provider,
    /** fields given are set, null unsets one (detected again), fields left out are kept */
    buildSettings: BuildSettingsPatch.optional(),
    /** the branch whose pushes deploy here; null: back to the default (see Environment.branch) */
    branch: PushBranch.nullable().optional(),
    autoDeploy: z.boolean().optional(),
    /** the whole list of branch and tag patterns triggers may deploy from; [] or null: any ref */
    allowedRefs: AllowedRefs.nullable().optional(),
    /** the whole set of protection rules (replaces the previous one); null: none */
    protection: ProtectionRules.nullable().optional(),
    /** the whole list of its custom domains (replaces the previous one); [] or null: none. A domain another environment has: environment/domain-taken */
    domains: CustomDomains.nullable().optional(),
  })
  .strict();
export type UpdateEnvironmentBody = z.infer<typeof UpdateEnvironmentBody>;

export const UpdateEnvironmentRequest = UpdateEnvironmentBody.extend({ projectId: Id, environmentId: Id }).strict();
export type UpdateEnvironmentRequest = z.infer<typeof UpdateEnvironmentRequest>;

export const EnvironmentRef = z.object({ projectId: Id, environmentId: Id }).strict();
export type EnvironmentRef = z.infer<typeof EnvironmentRef>;

export const createEnvironment = defineCommand({
  subject: Subjects.environments.create,
  request: CreateEnvironmentRequest,
  reply: Environment,
});

// One live environment of one project (getEnvironment, for services, looks it up by id alone).
export const getProjectEnvironment = defineCommand({
  subject: Subjects.environments.getInProject,
  request: EnvironmentRef,
  reply: Environment,
});

export const updateEnvironment = defineCommand({
  subject: Subjects.environments.update,
  request: UpdateEnvironmentRequest,
  reply: Environment,
});

// Soft delete: the answer carries deletedAt; the default environment is refused (environment/is-default).
export const deleteEnvironment = defineCommand({
  subject: Subjects.environments.delete,
  request: EnvironmentRef,
  reply: Environment,
});

// Brings a soft-deleted environment back (not as the default); refused while another live
// environment has its name. Restoring a live one answers it unchanged.
export const restoreEnvironment = defineCommand({
  subject: Subjects.environments.restore,
  request: EnvironmentRef,
  reply: Environment,
});

const EnvironmentFact = z.object({ environment: Environment, project: Project });

// Published by environment-manager through its outbox (stream ENVIRONMENT_EVENTS) when an
// environment is soft-deleted: whoever runs its releases stops them. Its deployments stay.
export const environmentDeleted = defineEvent({
  subject: Subjects.environments.deleted,
  data: EnvironmentFact,
  subjectToken: (d) => d.environment.id,
});
export type EnvironmentDeleted = z.infer<typeof environmentDeleted.data>;

export const environmentRestored = defineEvent({
  subject: Subjects.environments.restored,
  data: EnvironmentFact,
  subjectToken: (d) => d.environment.id,
});
export type EnvironmentRestored = z.infer<typeof environmentRestored.data>;

/** a custom domain and the environment it serves */
export const EnvironmentDomain = z.object({ domain: z.string(), projectName: z.string(), environmentName: z.string() });
export type EnvironmentDomain = z.infer<typeof EnvironmentDomain>;

// Every live environment's custom domains, for the edge (which reads them with the builders' route table).
export const listEnvironmentDomains = defineCommand({
  subject: Subjects.environments.domains,
  request: z.object({}).strict(),
  reply: z.object({ domains: z.array(EnvironmentDomain) }),
});

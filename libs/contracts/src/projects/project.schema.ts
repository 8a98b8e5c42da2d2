import { z } from 'zod';
import { defineCommand } from '../define';
import { Subjects } from '../subjects';
import { Id, IsoDate, listOf } from '../common.schema';
import { ConcurrencyPolicy } from './concurrency-policy.schema';
import { EnvironmentLimits } from './environment-limits.schema';
import { BuildSettings } from '../builds/build-settings.schema';
import { ProtectionRules } from './protection-rules.schema';

// A slug: it becomes part of hostnames (<project>-<environment>.localhost).
export const ProjectName = z
  .string()
  .min(1)
  .max(40)
  .regex(/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/, 'lowercase letters, digits and inner hyphens only');

/** a project's own trigger rate limit (deployments per sliding minute) */
export const TriggersPerMinute = z.number().int().min(1).max(10_000);

export const Project = z.object({
  id: Id,
  name: ProjectName,
  repositoryUrl: z.string(),
  defaultBranch: z.string(),
  /** at most this many triggers per sliding minute; absent: the operator's FLIGHTDECK_TRIGGERS_PER_MINUTE */
  triggersPerMinute: TriggersPerMinute.optional(),
  createdAt: IsoDate,
  updatedAt: IsoDate,
  /** only on a soft-deleted project (the answer to its delete, or a list of deleted ones) */
  deletedAt: IsoDate.optional(),
});
export type Project = z.infer<typeof Project>;

export const EnvironmentType = z.enum(['production', 'staging', 'preview', 'development']);
export type EnvironmentType = z.infer<typeof EnvironmentType>;
// The same slug rule as a project's: <project>-<environment>.localhost is its hostname.
export const EnvironmentName = ProjectName;
// A branch a push deploys from (git's ref rules, short of what a shell or git could read as an option).
export const PushBranch = z
  .string()
  .min(1)
  .max(200)
  .regex(/^(?![-./])(?!.*\.\.)(?!.*\/\/)[A-Za-z0-9._/-]+(?<![./])$/, 'a branch name: letters, digits, . _ / -, not starting with - . or /, no ..');

// A branch or tag pattern an environment deploys from: glob syntax (`*` within one path segment,
// `**` across them, `?` one character, `{a,b}` alternatives), matched against the ref's name.
export const RefPattern = z
  .string()
  .min(1)
  .max(200)
  .regex(/^(?![-/])[A-Za-z0-9._/*?{},!+-]+$/, 'a branch or tag pattern: letters, digits, . _ / - and the glob characters * ? { } , !');
/** the refs an environment deploys from; empty or absent: any */
export const AllowedRefs = z.array(RefPattern).max(50);

/**
 * Where an environment's deployments are released (issue 21): a provider's name and its settings.
 * A credential setting holds the NAME of a sensitive variable of the environment, never the
 * secret itself. environment-manager checks the settings against the provider's schema; the
 * builder resolves the credentials before any build. Absent or null: the internal provider.
 */
export const EnvironmentProvider = z
  .object({
    name: z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, 'a provider name: lowercase letters, digits and -'),
    settings: z
      .record(z.string(), z.unknown())
      .default({})
      .refine((s) => JSON.stringify(s).length <= 8_192, 'at most 8 KiB of settings'),
  })
  .strict();
export type EnvironmentProvider = z.infer<typeof EnvironmentProvider>;

// A custom domain of an environment: a host name of the user's (DNS pointed at the edge), served
// like <project>-<environment>.localhost. Lowercase labels of letters, digits and '-', at least two,
// no IP address, nothing under the platform's own .localhost names.
const DOMAIN_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
export const CustomDomain = z
  .string()
  .trim()
  .toLowerCase()
  .transform((d) => d.replace(/\.$/, ''))
  .refine((d) => d.length <= 253 && d.split('.').length >= 2 && d.split('.').every((l) => DOMAIN_LABEL.test(l)), 'a host name such as shop.example.com (letters, digits, - and dots)')
  .refine((d) => !/^[0-9.]+$/.test(d), 'a host name, not an IP address')
  .refine((d) => d !== 'localhost' && !d.endsWith('.localhost'), 'names under .localhost are the platform\'s own');
export const CustomDomains = z
  .array(CustomDomain)
  .max(20, 'at most 20 domains per environment')
  .refine((ds) => new Set(ds).size === ds.length, 'each domain once');

export const Environment = z.object({
  id: Id,
  projectId: Id,
  name: z.string(),
  type: EnvironmentType,
  /** exactly one live environment of a project is its default: triggers without an environment go there */
  isDefault: z.boolean(),
  /** where its deployments are released (absent or null: the internal provider) */
  provider: EnvironmentProvider.nullable().optional(),
  /** what its builds and releases may use; unset fields come from the operator's defaults */
  limits: EnvironmentLimits,
  /** what a trigger does while a deployment is in progress (see ConcurrencyPolicy) */
  concurrencyPolicy: ConcurrencyPolicy,
  /** the branch whose pushes deploy here; null or absent: the project's default branch for its default environment, none for others */
  branch: PushBranch.nullable().optional(),
  /** whether a push to its branch deploys it (absent: true) */
  autoDeploy: z.boolean().optional(),
  /** the branches and tags a trigger may deploy from (glob patterns); empty or absent: any (deployment/ref-not-allowed otherwise) */
  allowedRefs: AllowedRefs.optional(),
  /** required approvals, wait timer, freeze windows, required results (absent or null: none) */
  protection: ProtectionRules.nullable().optional(),
  /** how its app is built and run; unset fields are detected (optional so that older payloads still parse) */
  buildSettings: BuildSettings.optional(),
  /** its custom domains, served by the edge like its own URL (absent: none) */
  domains: z.array(z.string()).optional(),
  createdAt: IsoDate,
  /** only on a soft-deleted environment (the answer to its delete): lists and lookups leave those out */
  deletedAt: IsoDate.optional(),
});
export type Environment = z.infer<typeof Environment>;

export const CreateProjectRequest = z
  .object({
    name: ProjectName,
    repositoryUrl: z.string().min(1).max(2000),
    defaultBranch: z.string().min(1).max(200).optional(),
  })
  .strict();
export type CreateProjectRequest = z.infer<typeof CreateProjectRequest>;

export const createProject = defineCommand({
  subject: Subjects.projects.create,
  request: CreateProjectRequest,
  reply: Project,
});
export const listProjects = defineCommand({
  subject: Subjects.projects.list,
  // deleted: only the soft-deleted ones (to find one to restore); live ones otherwise
  request: z.object({ deleted: z.boolean().optional() }).strict(),
  reply: listOf(Project),
});
export const getProject = defineCommand({
  subject: Subjects.projects.get,
  request: z.object({ projectId: Id }).strict(),
  reply: Project,
});
export const listEnvironments = defineCommand({
  subject: Subjects.environments.list,
  // deleted: only the soft-deleted ones (to find one to restore); live ones otherwise
  request: z.object({ projectId: Id, deleted: z.boolean().optional() }).strict(),
  reply: listOf(Environment),
});
export const getEnvironment = defineCommand({
  subject: Subjects.environments.get,
  request: z.object({ environmentId: Id }).strict(),
  reply: Environment.extend({ project: Project }),
});

// The whole limits object, as a PUT: what it leaves out falls back to the operator's defaults.
// The project is part of the request so that environment-manager, which owns both, checks the
// environment is that project's in the same statement that changes it.
export const SetEnvironmentLimitsRequest = z
  .object({
    projectId: Id,
    environmentId: Id,
    limits: EnvironmentLimits,
  })
  .strict();
export type SetEnvironmentLimitsRequest = z.infer<typeof SetEnvironmentLimitsRequest>;

export const setEnvironmentLimits = defineCommand({
  subject: Subjects.environments.setLimits,
  request: SetEnvironmentLimitsRequest,
  reply: Environment,
});

export const SetEnvironmentConcurrencyRequest = z
  .object({
    projectId: Id,
    environmentId: Id,
    policy: ConcurrencyPolicy,
  })
  .strict();
export type SetEnvironmentConcurrencyRequest = z.infer<typeof SetEnvironmentConcurrencyRequest>;

export const setEnvironmentConcurrency = defineCommand({
  subject: Subjects.environments.setConcurrency,
  request: SetEnvironmentConcurrencyRequest,
  reply: Environment,
});

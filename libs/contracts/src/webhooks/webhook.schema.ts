import { z } from 'zod';
import { defineCommand } from '../define';
import { Subjects } from '../subjects';
import { Id, IsoDate } from '../common.schema';
import { Project } from '../projects/project.schema';

// Git webhooks (GitHub's push and pull_request events). The secret that signs a project's
// deliveries is generated and sealed by environment-manager, which owns projects and the keyring;
// the gateway receives deliveries, checks their signature and records what each one did.

/** what the API shows of a project's webhook secret: whether it has one, never the secret */
export const WebhookSettings = z.object({
  projectId: Id,
  configured: z.boolean(),
  /** when the current secret was generated; null: none yet */
  updatedAt: IsoDate.nullable(),
  /** whether a GitHub token is set: pull request previews are then reported as commit statuses */
  githubToken: z.boolean(),
});
export type WebhookSettings = z.infer<typeof WebhookSettings>;

/** the answer to generating or rotating the secret: the only time it is shown */
export const CreatedWebhookSecret = WebhookSettings.extend({ secret: z.string() });
export type CreatedWebhookSecret = z.infer<typeof CreatedWebhookSecret>;

const ProjectRef = z.object({ projectId: Id }).strict();

export const rotateWebhookSecret = defineCommand({
  subject: Subjects.webhooks.rotateSecret,
  request: ProjectRef,
  reply: CreatedWebhookSecret,
});

/** the body of PUT /projects/:projectId/webhook/github-token */
export const SetGithubTokenBody = z.object({ token: z.string().min(1).max(500).regex(/^[\x21-\x7e]+$/, 'a token: printable characters, no spaces') }).strict();

// A token (fine-grained: "Commit statuses: write") the gateway reports previews with; null removes it.
export const setGithubToken = defineCommand({
  subject: Subjects.webhooks.setGithubToken,
  request: z.object({ projectId: Id, token: SetGithubTokenBody.shape.token.nullable() }).strict(),
  reply: WebhookSettings,
});

export const getWebhookSettings = defineCommand({
  subject: Subjects.webhooks.settings,
  request: ProjectRef,
  reply: WebhookSettings,
});

// For the gateway only: the live projects whose repository is one of these URLs and that have a
// webhook secret, with the secret (a delivery is checked against each until one signature holds).
export const matchWebhookProjects = defineCommand({
  subject: Subjects.webhooks.match,
  request: z.object({ repositoryUrls: z.array(z.string().min(1).max(2000)).min(1).max(8) }).strict(),
  reply: z.object({ items: z.array(z.object({ project: Project, secret: z.string(), githubToken: z.string().optional() })) }),
});

/**
 * One spelling for a repository whichever way it is written: https://github.com/Org/App.git,
 * git@github.com:Org/App and ssh://git@github.com/Org/App all become github.com/org/app; a local
 * path or file:// URL keeps its path (without a trailing slash or .git).
 */
export const normalizeRepositoryUrl = (url: string): string => {
  let u = url.trim();
  const scp = /^[\w.-]+@([\w.-]+):(?!\/)(.+)$/.exec(u);
  if (scp) u = `${scp[1]}/${scp[2]}`;
  else {
    const m = /^(?:https?|ssh|git):\/\/(?:[^@/]+@)?([^/:]+)(?::\d+)?\/(.*)$/i.exec(u);
    if (m) u = `${m[1]}/${m[2]}`;
    else u = u.replace(/^file:\/\//i, '');
  }
  u = u.replace(/\/+$/, '').replace(/\.git$/i, '').replace(/\/+$/, '');
  return /^[\w.-]+\//.test(u) && !u.startsWith('/') ? u.toLowerCase() : u;
};

/** what became of a delivery */
export const WebhookOutcome = z.enum([
  // signature good, being worked on
  'accepted',
  // environments triggered by a push
  'deployed',
  // a pull request's preview environment deployed (or its deployment triggered)
  'preview-deployed',
  // a closed pull request's preview environment deleted
  'preview-removed',
  // nothing to do (another branch, autoDeploy off, an event we do not act on)
  'ignored',
  // the signature did not hold: nothing done
  'rejected',
  // understood but the work failed (detail says why)
  'failed',
]);
export type WebhookOutcome = z.infer<typeof WebhookOutcome>;

export const WebhookDelivery = z.object({
  id: z.number().int(),
  /** X-GitHub-Delivery */
  deliveryId: z.string(),
  /** X-GitHub-Event */
  event: z.string(),
  action: z.string().nullable(),
  projectId: Id.nullable(),
  outcome: WebhookOutcome,
  detail: z.string(),
  deploymentIds: z.array(Id),
  previewUrl: z.string().nullable(),
  receivedAt: IsoDate,
  finishedAt: IsoDate.nullable(),
});
export type WebhookDelivery = z.infer<typeof WebhookDelivery>;

export const WebhookDeliveryList = z.object({ items: z.array(WebhookDelivery) });

export const WebhookDeliveriesQuery = z
  .object({ limit: z.coerce.number().int().min(1).max(200).default(50) })
  .strict();

/** the answer to a delivery: 202 accepted (work goes on), 200 replayed or ignored */
export const WebhookReceipt = z.object({
  deliveryId: z.string(),
  status: z.enum(['accepted', 'replayed', 'ignored']),
  projectIds: z.array(Id),
  /** for ignored: why (webhook/unsupported-event and the like) */
  code: z.string().optional(),
  message: z.string(),
});
export type WebhookReceipt = z.infer<typeof WebhookReceipt>;

/** whether a deployment was triggered for a fork's pull request (no sensitive variable for it) */
export const withholdsSensitive = (metadata: Record<string, unknown> | null | undefined): boolean => metadata?.withholdSensitive === true;

import { z } from 'zod';
import { defineCommand } from '../define';
import { Id } from '../common.schema';
import { Subjects } from '../subjects';

/** a provider's status webhook is small (Vercel's and Netlify's are a few KB): anything past this is refused before the bus */
export const PROVIDER_WEBHOOK_MAX_BYTES = 256 * 1024;

/** the request headers a provider signs with or names its event in (lower-case), all that is handed on */
export const PROVIDER_WEBHOOK_HEADERS = ['content-type', 'x-vercel-signature', 'x-webhook-signature', 'x-netlify-event', 'x-flightdeck-signature-256'] as const;

// A deployment provider's status webhook (issue 21 item 5), received by the gateway at
// POST /hooks/providers/:provider/:environmentId and handed on byte for byte. Only the builder
// running a deployment of the environment holds the provider's webhook secret (a sensitive
// variable resolved for that deployment, never read by the gateway), so every builder replica hears
// it and each one running such a deployment verifies it with that provider and applies it.
export const ProviderWebhookRequest = z
  .object({
    provider: z.string().min(1).max(100),
    environmentId: Id,
    headers: z.record(z.string().max(8 * 1024)),
    /** the raw body, base64: its signature covers these exact bytes */
    body: z.string().max(Math.ceil(PROVIDER_WEBHOOK_MAX_BYTES / 3) * 4),
  })
  .strict();
export type ProviderWebhookRequest = z.infer<typeof ProviderWebhookRequest>;

/**
 * One builder's verdict. applied: it verified the webhook and it was about a deployment it runs (a
 * log line written, its provider's state read now); stale: verified, about no deployment it runs
 * (an ended one, a replay) or no deployment's status at all (another event type); invalid-signature: it runs a deployment of the environment and the
 * signature does not verify with that deployment's secret; unsupported: the provider has no
 * webhooks; idle: it runs no deployment of the environment with this provider.
 */
export const ProviderWebhookVerdict = z.object({
  verdict: z.enum(['applied', 'stale', 'invalid-signature', 'unsupported', 'idle']),
  deploymentId: Id.optional(),
  message: z.string().max(2_000).optional(),
});
export type ProviderWebhookVerdict = z.infer<typeof ProviderWebhookVerdict>;

export const receiveProviderWebhook = defineCommand({
  subject: Subjects.releases.providerWebhook,
  request: ProviderWebhookRequest,
  reply: ProviderWebhookVerdict,
  // every replica's answer is waited for this long
  timeoutMs: 1_000,
});

/** what the gateway answers the provider */
export const ProviderWebhookReceipt = z.object({
  status: z.enum(['applied', 'ignored']),
  deploymentId: Id.optional(),
  message: z.string(),
});
export type ProviderWebhookReceipt = z.infer<typeof ProviderWebhookReceipt>;

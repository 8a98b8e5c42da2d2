import { z } from 'zod';
import { defineCommand } from '../define';
import { Id } from '../common.schema';
import { Subjects } from '../subjects';

// What a custom provider's system reports on the deployment it was sent (issue 21 item 7), with the
// short-lived credential that came in the request's `publisher`: log lines for the deployment's log,
// and its result with the URL it serves the deployment at. The builder running the deployment holds
// the credential and applies the report (its log keeps one sequence; its provider call ends with the
// result), so the report goes to every builder replica and the one running the deployment acts.
export const ProviderReport = z.union([
  z.object({ kind: z.literal('log'), lines: z.array(z.string().max(16 * 1024)).min(1).max(1_000), level: z.enum(['info', 'warn', 'error']).optional() }).strict(),
  z
    .object({
      kind: z.literal('result'),
      outcome: z.enum(['succeeded', 'failed']),
      url: z
        .string()
        .url()
        .refine((u) => /^https?:\/\//.test(u), 'must be an http(s) URL')
        .optional(),
      previewUrl: z.string().url().optional(),
      message: z.string().max(10_000).optional(),
    })
    .strict()
    .refine((r) => r.outcome !== 'succeeded' || !!r.url, { message: 'a succeeded result names its url', path: ['url'] }),
]);
export type ProviderReport = z.infer<typeof ProviderReport>;

/** the credential's form: fdp_<the deployment id, 32 hex digits>_<secret>: the deployment it is for is readable, the secret is not */
export const PUBLISHER_TOKEN = /^fdp_([0-9a-f]{32})_([A-Za-z0-9_-]{43})$/;
export const deploymentIdOfPublisherToken = (token: string): string | null => {
  const m = PUBLISHER_TOKEN.exec(token);
  if (!m) return null;
  const h = m[1];
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
};

export const reportToProvider = defineCommand({
  subject: Subjects.releases.providerReport,
  request: z.object({ deploymentId: Id, token: z.string().max(200), report: ProviderReport }).strict(),
  reply: z.object({ handled: z.boolean() }),
  // every replica's answer is waited for this long
  timeoutMs: 1_000,
});

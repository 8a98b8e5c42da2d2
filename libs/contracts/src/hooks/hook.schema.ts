import { z } from 'zod';
import { defineCommand } from '../define';
import { Subjects } from '../subjects';
import { Id, IsoDate } from '../common.schema';

// Outgoing webhooks per project (issue 23 item 3). The gateway keeps the hooks and their
// deliveries and sends them; each hook's signing secret is generated and sealed by
// environment-manager (the keyring's owner) and opened only for signing a delivery.

/** the events a hook may subscribe to: approval.* when a deployment starts awaiting approval, and on each decision (approved, rejected, expired) */
export const HookEvent = z.enum([
  'deployment.created',
  'deployment.started',
  'deployment.progress',
  'deployment.succeeded',
  'deployment.failed',
  'deployment.canceled',
  'deployment.rolled_back',
  'approval.requested',
  'approval.decided',
]);
export type HookEvent = z.infer<typeof HookEvent>;

const HookUrl = z
  .string()
  .max(2000)
  .url()
  .refine((u) => /^https?:\/\//i.test(u), 'an http or https URL');

export const CreateHookRequest = z
  .object({ url: HookUrl, events: z.array(HookEvent).min(1).max(HookEvent.options.length), active: z.boolean().default(true) })
  .strict();
export type CreateHookRequest = z.infer<typeof CreateHookRequest>;

export const UpdateHookRequest = z
  .object({ url: HookUrl.optional(), events: z.array(HookEvent).min(1).max(HookEvent.options.length).optional(), active: z.boolean().optional() })
  .strict();
export type UpdateHookRequest = z.infer<typeof UpdateHookRequest>;

export const Hook = z.object({
  id: Id,
  projectId: Id,
  url: z.string(),
  events: z.array(z.string()),
  active: z.boolean(),
  createdAt: IsoDate,
  updatedAt: IsoDate,
});
export type Hook = z.infer<typeof Hook>;

/** the answer to creating a hook: the only time its secret is shown */
export const CreatedHook = Hook.extend({ secret: z.string() });
export type CreatedHook = z.infer<typeof CreatedHook>;

export const HookList = z.object({ items: z.array(Hook) });

export const HookDeliveryStatus = z.enum(['pending', 'delivered', 'failed']);
export const HookDelivery = z.object({
  /** X-Flightdeck-Delivery: the same on every attempt */
  id: Id,
  hookId: Id,
  event: z.string(),
  deploymentId: Id.nullable(),
  status: HookDeliveryStatus,
  attempts: z.number().int(),
  /** the receiver's last HTTP status; null: no answer (refused, timed out, unreachable) */
  responseStatus: z.number().int().nullable(),
  responseTimeMs: z.number().int().nullable(),
  lastError: z.string().nullable(),
  nextAttemptAt: IsoDate.nullable(),
  createdAt: IsoDate,
  deliveredAt: IsoDate.nullable(),
});
export type HookDelivery = z.infer<typeof HookDelivery>;
export const HookDeliveryList = z.object({ items: z.array(HookDelivery) });
export const HookDeliveriesQuery = z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) }).strict();

// For the gateway only: generate (and seal) a hook's secret, open it for signing, or delete it.
export const hookSecret = defineCommand({
  subject: Subjects.hooks.secret,
  request: z.object({ projectId: Id, hookId: Id, action: z.enum(['generate', 'open', 'delete']) }).strict(),
  reply: z.object({ secret: z.string().nullable() }),
});

import { z } from 'zod';
import { Id, IsoDate } from '../common.schema';

// One mutating API call: who (the user and the token, or the bootstrap admin), what (method and
// route, the ids it named), on which project, how it ended, when, and its correlation id. Or a
// decision the platform took by itself (actor kind `system`, method SYSTEM): an approval that expired.
export const AuditEntry = z.object({
  id: z.number().int(),
  at: IsoDate,
  actor: z.object({ kind: z.enum(['admin-token', 'user', 'anonymous', 'system']), id: z.string().nullable() }),
  userId: Id.nullable(),
  tokenId: Id.nullable(),
  method: z.string(),
  /** the route's pattern, e.g. POST /api/v1/deployments/:deploymentId/cancel; null for no route */
  route: z.string().nullable(),
  path: z.string(),
  projectId: Id.nullable(),
  /** the ids and keys the path named */
  target: z.record(z.string()),
  status: z.number().int(),
  outcome: z.enum(['succeeded', 'denied', 'failed']),
  errorCode: z.string().nullable(),
  correlationId: z.string().nullable(),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

/** newest first; `before`: the id of the last entry of the previous page */
export const AuditQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(200).default(50),
    before: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional(),
  })
  .strict();
export type AuditQuery = z.infer<typeof AuditQuery>;
export const SystemAuditQuery = AuditQuery.extend({ projectId: Id.optional() }).strict();

export const AuditPage = z.object({ items: z.array(AuditEntry), nextBefore: z.number().int().nullable() });
export type AuditPage = z.infer<typeof AuditPage>;

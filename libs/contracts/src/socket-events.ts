import { z } from 'zod';
import { Id, PG_INT_MAX } from './common.schema';
import { Deployment, DeploymentStatus, DeploymentTransition } from './deployments/deployment.schema';
import { LogLevel, LogLine, LogSource } from './logs/log-line.schema';
import { type ErrorBody, ErrorBodySchema } from './result';

// Socket.IO namespace `/deployments`; the token goes in the handshake `auth: { token }`.
export const DEPLOYMENTS_NAMESPACE = '/deployments';

export const SocketEvents = {
  // client → server (acknowledged with a SubscribeAck)
  subscribe: 'subscribe',
  unsubscribe: 'unsubscribe',
  // a project's deployments: every status change of any of them, as `projectStatus`
  subscribeProject: 'subscribeProject',
  unsubscribeProject: 'unsubscribeProject',
  // server → client
  projectStatus: 'projectStatus',
  logs: 'logs',
  status: 'status',
  end: 'end',
  gap: 'gap',
  dropped: 'dropped',
} as const;

export const SubscribeRequest = z
  .object({
    deploymentId: Id,
    afterSeq: z.number().int().min(0).max(PG_INT_MAX).default(0),
    level: LogLevel.optional(),
    step: z.string().max(100).optional(),
    source: LogSource.optional(),
  })
  .strict();
export type SubscribeRequest = z.input<typeof SubscribeRequest>;

export type SubscribeAck = { ok: true; deployment: Deployment } | { ok: false; error: ErrorBody };

export const SubscribeProjectRequest = z.object({ projectId: Id }).strict();
export type SubscribeProjectRequest = z.infer<typeof SubscribeProjectRequest>;
export type SubscribeProjectAck = { ok: true; projectId: string } | { ok: false; error: ErrorBody };

// Lines arrive in seq order, each once; `lastSeq` is the highest seq considered (filtered lines included).
export const LogsPayload = z.object({
  deploymentId: Id,
  lines: z.array(LogLine),
  lastSeq: z.number().int().nonnegative(),
});
export type LogsPayload = z.infer<typeof LogsPayload>;
// The deployment after a status or phase change, and the change itself when known.
export const StatusPayload = z.object({
  deployment: Deployment,
  transition: DeploymentTransition.optional(),
});
export type StatusPayload = z.infer<typeof StatusPayload>;
// Sent once, after the last line: the deployment is terminal and `lastSeq` is its log's last seq.
export const EndPayload = z.object({
  deploymentId: Id,
  status: DeploymentStatus,
  lastSeq: z.number().int().nonnegative(),
});
export type EndPayload = z.infer<typeof EndPayload>;

// Lines fromSeq..toSeq were not sent live and never will be on this subscription: `slow-consumer`,
// the connection did not take what was sent fast enough and the feed moved on without it;
// `flood`, the build printed more lines per second than the gateway relays live for one
// deployment. Either way they are stored (GET /deployments/:id/logs with afterSeq = fromSeq - 1),
// and the next `logs` continue after toSeq. `message` says it for a person.
export const GapPayload = z.object({
  deploymentId: Id,
  fromSeq: z.number().int().nonnegative(),
  toSeq: z.number().int().nonnegative(),
  reason: z.enum(['slow-consumer', 'flood']),
  message: z.string(),
});
export type GapPayload = z.infer<typeof GapPayload>;
// The server is closing this connection: it took nothing for too long (`slow-consumer`).
// Reconnect and subscribe with afterSeq to resume.
export const DroppedPayload = z.object({ reason: z.literal('slow-consumer'), message: z.string() });
export type DroppedPayload = z.infer<typeof DroppedPayload>;

export const SubscribeAck = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), deployment: Deployment }),
  z.object({ ok: z.literal(false), error: ErrorBodySchema }),
]);
export const SubscribeProjectAck = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), projectId: Id }),
  z.object({ ok: z.literal(false), error: ErrorBodySchema }),
]);

/** each server → client event's payload schema, by event name (SSE events carry the same payloads) */
export const ServerEventSchemas = {
  logs: LogsPayload,
  status: StatusPayload,
  end: EndPayload,
  gap: GapPayload,
  dropped: DroppedPayload,
  projectStatus: StatusPayload,
} as const;

export interface ServerToClientEvents {
  logs: (p: LogsPayload) => void;
  status: (p: StatusPayload) => void;
  end: (p: EndPayload) => void;
  gap: (p: GapPayload) => void;
  dropped: (p: DroppedPayload) => void;
  /** a deployment of a subscribed project changed status or phase (from the subscription on) */
  projectStatus: (p: StatusPayload) => void;
}
export interface ClientToServerEvents {
  subscribe: (req: SubscribeRequest, ack: (a: SubscribeAck) => void) => void;
  unsubscribe: (req: { deploymentId: string }, ack?: (a: { ok: true }) => void) => void;
  subscribeProject: (req: SubscribeProjectRequest, ack: (a: SubscribeProjectAck) => void) => void;
  unsubscribeProject: (req: SubscribeProjectRequest, ack?: (a: { ok: true }) => void) => void;
}

import { z } from 'zod';
import { Id, IsoDate, listOf } from '../common.schema';

// External build-event publishers: a team's CI reporting its own deployments' phases, logs and
// result over NATS. Each holds a NATS credential that may publish only its project's build events
// (external.<projectId>.build.<kind>.<deploymentId>); the gateway creates, lists and revokes them.

export const PublisherName = z.string().trim().min(1).max(100);

export const CreatePublisherRequest = z.object({ name: PublisherName }).strict();
export type CreatePublisherRequest = z.infer<typeof CreatePublisherRequest>;

/** how a publisher reaches the bus: connect as `user` with nats.js `inboxPrefix` set (acks arrive there) */
export const PublisherNatsAccess = z.object({
  servers: z.array(z.string()),
  user: z.string(),
  inboxPrefix: z.string(),
  /** external.<projectId>: publish build events to `<subjectPrefix>.build.{progress,result,logs}.<deploymentId>` */
  subjectPrefix: z.string(),
});

export const Publisher = z.object({
  id: Id,
  projectId: Id,
  name: PublisherName,
  createdAt: IsoDate,
  revokedAt: IsoDate.nullable(),
  nats: PublisherNatsAccess,
});
export type Publisher = z.infer<typeof Publisher>;

/** what creating a publisher answers, once: the password is stored only as a bcrypt hash */
export const CreatedPublisher = Publisher.extend({
  revokedAt: z.null(),
  nats: PublisherNatsAccess.extend({ password: z.string() }),
});
export type CreatedPublisher = z.infer<typeof CreatedPublisher>;

export const PublisherList = listOf(Publisher);

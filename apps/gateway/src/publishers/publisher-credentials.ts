import { type Publisher, externalSubjectPrefix, inboxPrefixOf } from '@flightdeck/contracts';
import { type NatsUserEntry, publisherPermissions } from '@flightdeck/messaging';
import type { PublisherEntity } from './publisher.entity';

// What a publisher is on the NATS side: a user named after its id, allowed its project's build
// events and its own inbox prefix (JetStream publish acks), nothing else.

/** pub_<first 12 hex digits of the id>: short, unique in practice (the table enforces it), no secret */
export const publisherNatsUser = (id: string) => `pub_${id.replace(/-/g, '').slice(0, 12)}`;

export const publisherInboxPrefix = (natsUser: string) => inboxPrefixOf(natsUser);

export const publisherNatsEntry = (p: Pick<PublisherEntity, 'projectId' | 'natsUser' | 'passwordHash'>): NatsUserEntry => ({
  user: p.natsUser,
  password: { bcrypt: p.passwordHash },
  permissions: publisherPermissions(p.projectId, publisherInboxPrefix(p.natsUser)),
});

export const toPublisher = (p: PublisherEntity, servers: string[]): Publisher => ({
  id: p.id,
  projectId: p.projectId,
  name: p.name,
  createdAt: p.createdAt.toISOString(),
  revokedAt: p.revokedAt?.toISOString() ?? null,
  nats: {
    servers,
    user: p.natsUser,
    inboxPrefix: publisherInboxPrefix(p.natsUser),
    subjectPrefix: externalSubjectPrefix(p.projectId),
  },
});

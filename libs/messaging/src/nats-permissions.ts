import {
  BusAccess,
  type ServiceBusAccess,
  type ServiceName,
  Streams,
  Subjects,
  deadLetterSubject,
  inboxPrefixOf,
  subjectFor,
} from '@flightdeck/contracts';

// A nats-server user's permissions, as its config file spells them.
export interface NatsPermissions {
  publish: { allow: string[] };
  subscribe: { allow: string[] };
  /** may publish a reply to a request it received (once, on the request's reply subject) */
  allow_responses?: boolean;
}

const JS_API = '$JS.API';
const streamName = (key: keyof typeof Streams) => Streams[key].name;
const unique = (xs: string[]) => [...new Set(xs)];

// The JetStream API subjects a service needs, and nothing of another service's consumers:
// - every service runs ensureStreams at start (stream info, create, update for every stream);
// - a durable consumer: create/update (with or without a filter subject; both the 2.9+ API and the
//   older DURABLE.CREATE), info, pull (MSG.NEXT), acks/naks/progress ($JS.ACK.<stream>.<durable>.>),
//   and publishing to its dead-letter subject;
// - an ordered consumer: the name is random per consumer, the filter is the followed event's subject
//   (so the gateway can only create consumers filtered to one subject of that shape), and nats.js
//   deletes and recreates it when it falls behind; it never acks.
function jetStreamPublish(access: ServiceBusAccess): string[] {
  const subjects = [`${JS_API}.INFO`];
  for (const key of Object.keys(Streams) as (keyof typeof Streams)[]) {
    const s = streamName(key);
    subjects.push(
      `${JS_API}.STREAM.INFO.${s}`,
      `${JS_API}.STREAM.CREATE.${s}`,
      `${JS_API}.STREAM.UPDATE.${s}`,
    );
  }
  for (const c of access.consumes) {
    const s = streamName(c.stream);
    subjects.push(
      `${JS_API}.CONSUMER.INFO.${s}.${c.durable}`,
      `${JS_API}.CONSUMER.CREATE.${s}.${c.durable}`,
      `${JS_API}.CONSUMER.CREATE.${s}.${c.durable}.>`,
      `${JS_API}.CONSUMER.DURABLE.CREATE.${s}.${c.durable}`,
      `${JS_API}.CONSUMER.MSG.NEXT.${s}.${c.durable}`,
      `$JS.ACK.${s}.${c.durable}.>`,
      deadLetterSubject(c.durable),
    );
  }
  for (const f of access.follows) {
    const s = streamName(f.stream);
    subjects.push(
      `${JS_API}.CONSUMER.CREATE.${s}.*.${f.event.subject}`,
      `${JS_API}.CONSUMER.INFO.${s}.*`,
      `${JS_API}.CONSUMER.MSG.NEXT.${s}.*`,
      `${JS_API}.CONSUMER.DELETE.${s}.*`,
    );
  }
  for (const key of access.readsMessages) subjects.push(`${JS_API}.STREAM.MSG.GET.${streamName(key)}`);
  return subjects;
}

// A service's nats-server permissions, derived from its BusAccess declaration in libs/contracts:
// it subscribes to the commands it answers, the events it listens to and its own inbox prefix
// (never `_INBOX.>`: another service's replies, e.g. plaintext variables, stay out of reach); it
// publishes the commands it sends, the facts it publishes and the JetStream API calls above; its
// replies go out through allow_responses, only to the reply subject of a request it received.
export function servicePermissions(
  service: ServiceName,
  access: ServiceBusAccess = BusAccess[service],
): NatsPermissions {
  const answers = [...access.handles, ...access.broadcasts];
  return {
    publish: {
      allow: unique([
        ...access.requests.map((c) => c.subject),
        ...access.publishes.map((e) => e.subject),
        ...jetStreamPublish(access),
      ]),
    },
    subscribe: {
      allow: unique([
        ...answers.map((c) => c.subject),
        ...access.listens.map((e) => e.subject),
        `${inboxPrefixOf(service)}.>`,
      ]),
    },
    ...(answers.length ? { allow_responses: true } : {}),
  };
}

// An external build-event publisher (a team's CI): it publishes one project's build events, each
// subject pinned to that project (`external.<projectId>.build.<kind>.*`, from libs/contracts), and
// subscribes to nothing but its own inbox prefix, where JetStream's publish acks arrive. No
// allow_responses, no JetStream API, no other project's subjects.
export function publisherPermissions(projectId: string, inboxPrefix: string): NatsPermissions {
  return {
    publish: { allow: Object.values(Subjects.external).map((pattern) => subjectFor(pattern, projectId)) },
    subscribe: { allow: [`${inboxPrefix}.>`] },
  };
}

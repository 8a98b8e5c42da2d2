import { randomUUID } from 'node:crypto';
import type { EventData, EventDefinition, MessageEnvelope } from '@flightdeck/contracts';
import { decodeEnvelope, encodeEnvelope } from './envelope.codec';

export type DecodedEvent<E extends EventDefinition> =
  | { ok: true; data: EventData<E>; envelope: MessageEnvelope<EventData<E>> }
  | { ok: false; reason: string };

// The one way to read a fact off the bus: envelope, version, schema, and (when the subject is given)
// that a per-deployment subject carries that deployment's payload. Every consumer, feed and sweeper
// uses it, so a message is judged the same way everywhere.
export function decodeEvent<E extends EventDefinition>(event: E, bytes: Uint8Array, subject?: string): DecodedEvent<E> {
  const decoded = decodeEnvelope(bytes);
  if (!decoded.ok) return decoded;
  const { envelope } = decoded;
  if (envelope.type !== event.subject) {
    return { ok: false, reason: `a ${envelope.type} message is not a ${event.subject}` };
  }
  if (envelope.v !== event.version) {
    return { ok: false, reason: `unsupported version ${envelope.v} of ${event.subject} (speaks ${event.version})` };
  }
  let data: EventData<E>;
  if (event.accepts?.(envelope.data)) data = envelope.data as EventData<E>;
  else {
    const parsed = event.data.safeParse(envelope.data);
    if (!parsed.success) return { ok: false, reason: `invalid payload: ${parsed.error.message}` };
    data = parsed.data as EventData<E>;
  }
  if (subject && event.subjectToken) {
    const expected = event.subject.replace('*', event.subjectToken(data));
    if (subject !== expected) return { ok: false, reason: `payload belongs on ${expected}, not on ${subject}` };
  }
  return { ok: true, data, envelope: { ...envelope, data } };
}

// The one way to write a fact: validated by its schema first (a bad event is the publisher's bug).
export const encodeEvent = <E extends EventDefinition>(event: E, data: EventData<E>, id: string = randomUUID()): Uint8Array =>
  encodeEnvelope(event.subject, event.version, event.data.parse(data), id);

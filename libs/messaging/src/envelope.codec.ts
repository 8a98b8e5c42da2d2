import { randomUUID } from 'node:crypto';
import { MessageEnvelope } from '@flightdeck/contracts';
import { currentCorrelationId } from './correlation';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export const encodeEnvelope = <T>(type: string, version: number, data: T, id: string = randomUUID()): Uint8Array =>
  encoder.encode(
    JSON.stringify({ v: version, id, type, at: new Date().toISOString(), correlationId: currentCorrelationId(), data }),
  );

export type DecodedEnvelope =
  | { ok: true; envelope: MessageEnvelope }
  | { ok: false; reason: string };

export const decodeEnvelope = (bytes: Uint8Array): DecodedEnvelope => {
  let raw: unknown;
  try {
    raw = JSON.parse(decoder.decode(bytes));
  } catch {
    return { ok: false, reason: 'payload is not JSON' };
  }
  const parsed = MessageEnvelope.safeParse(raw);
  if (!parsed.success) return { ok: false, reason: `not a message envelope: ${parsed.error.message}` };
  return { ok: true, envelope: parsed.data as MessageEnvelope };
};

export const encodeJson = (value: unknown): Uint8Array => encoder.encode(JSON.stringify(value));
export const decodeJson = (bytes: Uint8Array): unknown => JSON.parse(decoder.decode(bytes));

import * as contracts from './index';
import { type CommandDefinition, type EventDefinition, defineCommand, defineEvent } from './define';
import { MessageEnvelope } from './envelope';
import { Streams } from './subjects';

const envelope = {
  v: 1,
  id: 'm-1',
  type: 'deployments.evt.status.*',
  at: '2026-01-01T00:00:00.000Z',
  data: { x: 1 },
};

type Definition = CommandDefinition | EventDefinition;
const isDefinition = (v: unknown): v is Definition =>
  typeof v === 'object' &&
  v !== null &&
  ['command', 'event'].includes((v as { kind?: unknown }).kind as string);
const definitions: [string, Definition][] = Object.entries(contracts as Record<string, unknown>).flatMap(
  ([name, v]) => (isDefinition(v) ? [[name, v] as [string, Definition]] : []),
);

// NATS subject matching: does a stream's pattern capture every subject an event pattern can produce?
const captures = (pattern: string, subject: string) => {
  const p = pattern.split('.');
  const s = subject.split('.');
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '>') return s.length > i;
    if (i >= s.length || (p[i] !== '*' && p[i] !== s[i])) return false;
  }
  return p.length === s.length;
};

describe('message envelope and versions', () => {
  it('parses a versioned envelope', () => {
    expect(MessageEnvelope.parse({ ...envelope, correlationId: 'c-1' })).toEqual({
      ...envelope,
      correlationId: 'c-1',
    });
  });

  it.each([
    ['without a version', { ...envelope, v: undefined }],
    ['with version 0', { ...envelope, v: 0 }],
    ['with a fractional version', { ...envelope, v: 1.5 }],
    ['with a version as text', { ...envelope, v: '1' }],
    ['without an id', { ...envelope, id: '' }],
    ['without a type', { ...envelope, type: undefined }],
  ])('rejects an envelope %s', (_case, raw) => {
    expect(MessageEnvelope.safeParse(raw).success).toBe(false);
  });

  it('gives every definition version 1 unless it says otherwise', () => {
    expect(defineEvent({ subject: 'a.b', data: MessageEnvelope }).version).toBe(1);
    expect(
      defineCommand({ subject: 'a.c', request: MessageEnvelope, reply: MessageEnvelope, version: 3 }).version,
    ).toBe(3);
  });

  it('finds the platform definitions', () => {
    expect(definitions.filter(([, d]) => d.kind === 'event').length).toBeGreaterThan(0);
    expect(definitions.filter(([, d]) => d.kind === 'command').length).toBeGreaterThan(0);
  });

  it.each(definitions)('%s carries a positive integer schema version', (_name, def) => {
    expect(Number.isInteger(def.version) && def.version > 0).toBe(true);
  });

  it.each(definitions.filter(([, d]) => d.kind === 'event' && !d.ephemeral))(
    'event %s is captured by a stream',
    (_name, def) => {
      const streams = Object.values(Streams).filter((s) => s.subjects.some((p) => captures(p, def.subject)));
      expect(streams.map((s) => s.name)).toHaveLength(1);
    },
  );

  it.each(definitions.filter(([, d]) => d.kind === 'event' && d.ephemeral))(
    'ephemeral event %s is captured by no stream',
    (_name, def) => {
      expect(Object.values(Streams).filter((s) => s.subjects.some((p) => captures(p, def.subject)))).toEqual([]);
    },
  );

  it.each(definitions.filter(([, d]) => d.kind === 'command'))(
    'command %s is not captured by a stream',
    (_name, def) => {
      // request/reply is core NATS: a stream capturing it would answer with a publish ack
      expect(Object.values(Streams).some((s) => s.subjects.some((p) => captures(p, def.subject)))).toBe(
        false,
      );
    },
  );
});

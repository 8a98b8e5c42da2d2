import { z } from 'zod';

export interface CommandDefinition<Req extends z.ZodTypeAny = z.ZodTypeAny, Rep extends z.ZodTypeAny = z.ZodTypeAny> {
  readonly kind: 'command';
  readonly subject: string;
  readonly version: number;
  readonly request: Req;
  readonly reply: Rep;
  readonly timeoutMs: number;
  /** a faster exact check of a reply's data, as EventDefinition.accepts: true only for what `reply` takes as it is */
  acceptsReply?(data: unknown): boolean;
}

export interface EventDefinition<Data extends z.ZodTypeAny = z.ZodTypeAny> {
  readonly kind: 'event';
  readonly subject: string;
  readonly version: number;
  readonly data: Data;
  /** for a subject with a `*` token: the token a payload must be filed under (its deployment id) */
  subjectToken?(data: z.infer<Data>): string;
  /** core NATS only, kept by no stream: a signal worth nothing once late (a heartbeat) */
  readonly ephemeral?: boolean;
  /**
   * a faster exact check for the payloads the event nearly always carries: true only for what
   * `data` accepts with nothing to strip or change; the rest goes through `data` for its verdict
   */
  accepts?(data: unknown): boolean;
}

export type CommandRequest<C> = C extends CommandDefinition<infer R, z.ZodTypeAny> ? z.infer<R> : never;
export type CommandReply<C> = C extends CommandDefinition<z.ZodTypeAny, infer R> ? z.infer<R> : never;
export type EventData<E> = E extends EventDefinition<infer D> ? z.infer<D> : never;

export const defineCommand = <Req extends z.ZodTypeAny, Rep extends z.ZodTypeAny>(def: {
  subject: string;
  request: Req;
  reply: Rep;
  version?: number;
  timeoutMs?: number;
  acceptsReply?: (data: unknown) => boolean;
}): CommandDefinition<Req, Rep> => ({ kind: 'command', version: 1, timeoutMs: 5_000, ...def });

// An event subject may carry a wildcard token filled per message (e.g. a deployment id).
export const defineEvent = <Data extends z.ZodTypeAny>(def: {
  subject: string;
  data: Data;
  version?: number;
  subjectToken?: (data: z.infer<Data>) => string;
  ephemeral?: boolean;
  accepts?: (data: unknown) => boolean;
}): EventDefinition<Data> => ({ kind: 'event', version: 1, ...def });

import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

interface CorrelationContext {
  correlationId: string;
}

const storage = new AsyncLocalStorage<CorrelationContext>();

export const currentCorrelationId = (): string | undefined => storage.getStore()?.correlationId;

// Everything awaited inside `fn` (logs, outgoing requests, outbox rows) carries this id.
export const runWithCorrelation = <T>(correlationId: string | undefined, fn: () => T): T =>
  storage.run({ correlationId: correlationId || randomUUID() }, fn);

import type { Response } from 'express';
import type { z } from 'zod';
import type { ServerEventSchemas } from '@flightdeck/contracts';

/**
 * one Server-Sent Event, its payload typed by the contract schema of its event (the same payloads
 * as over Socket.IO); `id` is what the client sends back as Last-Event-ID when it reconnects
 */
export const sseEvent = <E extends keyof typeof ServerEventSchemas>(
  event: E,
  data: z.input<(typeof ServerEventSchemas)[E]>,
  id?: number,
) => `${id === undefined ? '' : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

// a comment line now and then keeps proxies from closing a quiet stream
export const SSE_KEEPALIVE_MS = 15_000;

/** answers 200 with an event stream, its headers sent at once */
export const openEventStream = (res: Response) => {
  res
    .status(200)
    .set({
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      'x-accel-buffering': 'no',
    });
  res.flushHeaders();
};

import type { Response } from 'express';

/** one Server-Sent Event; `id` is what the client sends back as Last-Event-ID when it reconnects */
export const sseEvent = (event: string, data: unknown, id?: number) =>
  `${id === undefined ? '' : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

// a comment line now and then keeps proxies from closing a quiet stream
export const SSE_KEEPALIVE_MS = 15_000;

/** answers 200 with an event stream, its headers sent at once */
export const openEventStream = (res: Response) => {
  res.status(200).set({ 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-accel-buffering': 'no' });
  res.flushHeaders();
};

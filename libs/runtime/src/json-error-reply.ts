import type { ServerResponse } from 'node:http';

// An error answered on a raw node:http response (the edges, outside Nest's exception filters): the
// API's `{error: {code, message}}` body. A response already under way can only be cut.
export function replyWithError(res: ServerResponse, status: number, code: string, message: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = JSON.stringify({ error: { code, message } });
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
  res.end(body);
}

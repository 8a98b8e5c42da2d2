import { type IncomingHttpHeaders, request } from 'node:http';

export interface HostAnswer {
  status: number;
  body: string;
  headers: IncomingHttpHeaders;
}

// GET 127.0.0.1:<port> with a chosen Host header, as a browser reaching `<name>.localhost` would.
// Node's fetch drops a custom Host header, so this uses node:http.
export const getWithHost = (port: number, host: string, path = '/', timeoutMs = 5_000): Promise<HostAnswer> =>
  new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host }, timeout: timeoutMs, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${host}${path}: no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });

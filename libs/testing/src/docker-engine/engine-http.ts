import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';

// How the Engine API answers: its headers, {message} errors, JSON-lines progress streams and the
// multiplexed stdout/stderr framing of logs.

export const FAKE_API_VERSION = '1.47';
export const MIN_API_VERSION = '1.24';

export const HEADERS = { 'api-version': FAKE_API_VERSION, 'docker-experimental': 'false', ostype: 'linux', server: 'Docker/27.5.1 (linux)' };
export const newId = () => randomBytes(32).toString('hex');
export const versionNum = (v: string) => v.split('.').reduce((n, p) => n * 1000 + Number(p), 0);
export const withTag = (ref: string) => (/:[\w][\w.-]*$/.test(ref.split('/').at(-1)!) ? ref : `${ref}:latest`);

export function send(res: ServerResponse, status: number, body?: unknown, type = 'application/json'): void {
  res.writeHead(status, { ...HEADERS, ...(body !== undefined ? { 'content-type': type } : {}) });
  res.end(body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body));
}
export const fail = (res: ServerResponse, status: number, message: string) => send(res, status, { message });

/** a JSON-lines progress stream (build, push), as the engine writes it */
export function progress(res: ServerResponse): (obj: unknown) => void {
  res.writeHead(200, { ...HEADERS, 'content-type': 'application/json' });
  return (obj) => res.write(`${JSON.stringify(obj)}\r\n`);
}

/** one frame of the multiplexed stdout/stderr stream: [stream, 0, 0, 0, size (uint32 big-endian)] + payload */
export function frame(stream: 1 | 2, payload: string): Buffer {
  const data = Buffer.from(payload);
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(data.length, 4);
  return Buffer.concat([header, data]);
}

export const parseJsonParam = <T>(v: string | undefined, fallback: T): T => {
  if (!v) return fallback;
  try {
    return JSON.parse(v) as T;
  } catch {
    return fallback;
  }
};


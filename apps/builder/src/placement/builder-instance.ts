import { hostname } from 'node:os';

// This builder replica as the others and the edge know it: a stable id (a restart keeps its
// releases without a takeover) and where its router answers.
export interface BuilderInstance {
  id: string;
  /** host:port of its router, which the edge proxies each of its labels to */
  address: string;
  /** another replica takes its releases over once it has not heartbeaten for this long */
  deadAfterMs: number;
}

export const BUILDER_INSTANCE = Symbol('BUILDER_INSTANCE');

const HEARTBEAT_EVERY_MS = 2_000;
export const heartbeatEveryMs = (deadAfterMs: number) => Math.min(HEARTBEAT_EVERY_MS, Math.floor(deadAfterMs / 3));

/** host:port, an IPv6 host in brackets */
export const hostPort = (host: string, port: number) => `${host.includes(':') ? `[${host}]` : host}:${port}`;

export function builderInstance(opts: { id?: string; advertise?: string; listenHost: string; routerPort: number; deadAfterMs: number }): BuilderInstance {
  // a router listening on every interface is reached by this host's name
  const wildcard = opts.listenHost === '0.0.0.0' || opts.listenHost === '::';
  const host = opts.advertise ?? (wildcard ? hostname() : opts.listenHost);
  return {
    id: opts.id ?? `${hostname()}-${opts.routerPort}`,
    address: hostPort(host, opts.routerPort),
    deadAfterMs: opts.deadAfterMs,
  };
}

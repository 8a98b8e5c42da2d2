import type { ServerResponse } from 'node:http';
import type { ResourceType } from './kube-store';

// How the API server answers: JSON bodies, and every error a metav1.Status object
// ({kind: Status, status: Failure, message, reason, details, code}) with its HTTP status.

export const REASON: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  409: 'Conflict',
  410: 'Expired',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
};

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  causes?: { reason: string; message: string; field: string }[];
  retryAfterSeconds?: number;
}

export const statusOf = (code: number, message: string, reason = REASON[code] ?? 'Unknown', details?: StatusDetails) => ({
  kind: 'Status',
  apiVersion: 'v1',
  metadata: {},
  status: 'Failure',
  message,
  reason,
  ...(details ? { details } : {}),
  code,
});

export function sendJson(res: ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(code, { 'content-type': 'application/json', 'audit-id': crypto.randomUUID(), ...headers });
  res.end(JSON.stringify(body));
}

export function sendStatus(res: ServerResponse, code: number, message: string, reason?: string, details?: StatusDetails, headers: Record<string, string> = {}): void {
  sendJson(res, code, statusOf(code, message, reason, details), headers);
}

/** "deployments.apps" as the API names a resource in its messages */
export const qualified = (r: ResourceType) => (r.group ? `${r.plural}.${r.group}` : r.plural);

export const notFound = (res: ServerResponse, r: ResourceType, name: string) =>
  sendStatus(res, 404, `${qualified(r)} "${name}" not found`, 'NotFound', { name, group: r.group || undefined, kind: r.plural });
export const alreadyExists = (res: ServerResponse, r: ResourceType, name: string) =>
  sendStatus(res, 409, `${qualified(r)} "${name}" already exists`, 'AlreadyExists', { name, group: r.group || undefined, kind: r.plural });

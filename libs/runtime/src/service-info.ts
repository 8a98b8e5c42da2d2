import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';

export const SERVICE_INFO = Symbol('SERVICE_INFO');

export interface ServiceInfo {
  name: string;
  instanceId: string;
  version: string;
  startedAt: number;
}

export const newServiceInfo = (name: string, instanceId?: string): ServiceInfo => ({
  name,
  instanceId: instanceId ?? `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`,
  version: process.env.npm_package_version ?? '0.1.0',
  startedAt: Date.now(),
});

import { z } from 'zod';
import { defineCommand } from '../define';
import { Subjects } from '../subjects';

export const ServiceName = z.enum([
  'gateway',
  'deployment-orchestrator',
  'builder',
  'log-ingest',
  'environment-manager',
]);
export type ServiceName = z.infer<typeof ServiceName>;
export const SERVICE_NAMES = ServiceName.options;

export const ServiceInstanceStatus = z.object({
  name: ServiceName,
  instanceId: z.string(),
  version: z.string(),
  uptimeS: z.number(),
  ready: z.boolean(),
  checks: z.record(z.boolean()).optional(),
});
export type ServiceInstanceStatus = z.infer<typeof ServiceInstanceStatus>;

export const SystemStatus = z.object({ items: z.array(ServiceInstanceStatus) });
export type SystemStatus = z.infer<typeof SystemStatus>;

// Every instance answers (no queue group), so one request gathers the whole fleet.
export const pingServices = defineCommand({
  subject: Subjects.system.statusPing,
  request: z.object({}).strict(),
  reply: ServiceInstanceStatus,
  timeoutMs: 750,
});

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

// What `npm start` supervises on this machine (services, Postgres, nats-server): the launcher writes
// it to a file the gateway reads (FLIGHTDECK_SUPERVISOR_FILE); absent when something else runs them.
export const SupervisedState = z.enum(['starting', 'running', 'backing-off', 'crash-looping', 'stopped']);
export type SupervisedState = z.infer<typeof SupervisedState>;

export const SupervisedProcess = z.object({
  name: z.string(),
  kind: z.enum(['service', 'postgres', 'nats-server']),
  state: SupervisedState,
  pid: z.number().int().optional(),
  /** restarts after an unexpected exit, since the launcher started */
  restarts: z.number().int().nonnegative(),
  /** when it entered its state */
  since: z.string(),
  lastExit: z.object({ code: z.number().nullable(), signal: z.string().nullable(), at: z.string() }).optional(),
});
export type SupervisedProcess = z.infer<typeof SupervisedProcess>;

export const SupervisorStatus = z.object({
  launcherPid: z.number().int(),
  updatedAt: z.string(),
  processes: z.array(SupervisedProcess),
});
export type SupervisorStatus = z.infer<typeof SupervisorStatus>;

export const SystemStatus = z.object({ items: z.array(ServiceInstanceStatus), supervisor: SupervisorStatus.optional() });
export type SystemStatus = z.infer<typeof SystemStatus>;

// Every instance answers (no queue group), so one request gathers the whole fleet.
export const pingServices = defineCommand({
  subject: Subjects.system.statusPing,
  request: z.object({}).strict(),
  reply: ServiceInstanceStatus,
  timeoutMs: 750,
});

import { z } from 'zod';

export class ConfigError extends Error {}

// Settings every service shares; each service extends this with its own.
export const BaseServiceEnv = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
  LOG_FORMAT: z.enum(['json', 'pretty']).default('json'),
  NATS_URL: z.string().min(1).default('nats://127.0.0.1:4222'),
  NATS_USER: z.string().min(1).optional().describe("this service's own NATS user (default: the service name)"),
  NATS_PASSWORD: z.string().min(1).optional().describe("this service's NATS password"),
  // copies of each JetStream stream: 1 on one nats-server, 3 on a NATS cluster (the same in every service)
  NATS_STREAM_REPLICAS: z.coerce.number().int().min(1).max(5).default(1),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .describe('this service role\'s own Postgres URL'),
  HTTP_HOST: z.string().default('127.0.0.1'),
  SERVICE_INSTANCE_ID: z.string().optional(),
});

// Parses once at boot and names every bad key in one message.
export const parseConfig = <S extends z.ZodTypeAny>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> => {
  const parsed = schema.safeParse(env);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(env)'}: ${i.message}`);
  throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
};

export type BaseServiceEnvShape = z.infer<typeof BaseServiceEnv>;

// Each service's HTTP port (health, metrics; the gateway's API) with its default.
export const httpPort = (fallback: number) => z.coerce.number().int().min(1).max(65535).default(fallback);

import { z } from 'zod';
import { BaseServiceEnv, httpPort, parseConfig } from '@flightdeck/runtime';

export const LogIngestEnv = BaseServiceEnv.extend({
  HTTP_PORT: httpPort(3003),
  // Upper bounds for one insert transaction: several JetStream messages (each up to 5,000 lines)
  // are written and acknowledged together.
  LOG_INGEST_MAX_MESSAGES_PER_TX: z.coerce.number().int().min(1).max(1_000).default(64),
  LOG_INGEST_MAX_LINES_PER_TX: z.coerce.number().int().min(1).max(200_000).default(20_000),
  // Lines older than this many days are removed, a whole day's partition at a time. Zero would
  // drop today's lines as they arrive: refused.
  LOG_INGEST_RETENTION_DAYS: z.coerce.number().int().min(1).max(3_650).default(30),
});
export type LogIngestConfig = z.infer<typeof LogIngestEnv>;

export const loadLogIngestConfig = (env: NodeJS.ProcessEnv = process.env): LogIngestConfig => parseConfig(LogIngestEnv, env);

import { z } from 'zod';
import { BaseServiceEnv, httpPort, parseConfig } from '@flightdeck/runtime';

export const LogIngestEnv = BaseServiceEnv.extend({
  HTTP_PORT: httpPort(3003),
});
export type LogIngestConfig = z.infer<typeof LogIngestEnv>;

export const loadLogIngestConfig = (env: NodeJS.ProcessEnv = process.env): LogIngestConfig => parseConfig(LogIngestEnv, env);

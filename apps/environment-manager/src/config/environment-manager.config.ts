import { z } from 'zod';
import { BaseServiceEnv, httpPort, parseConfig } from '@flightdeck/runtime';

export const EnvironmentManagerEnv = BaseServiceEnv.extend({
  HTTP_PORT: httpPort(3004),
});
export type EnvironmentManagerConfig = z.infer<typeof EnvironmentManagerEnv>;

export const loadEnvironmentManagerConfig = (env: NodeJS.ProcessEnv = process.env): EnvironmentManagerConfig => parseConfig(EnvironmentManagerEnv, env);

import { z } from 'zod';
import { BaseServiceEnv, httpPort, parseConfig } from '@flightdeck/runtime';

export const BuilderEnv = BaseServiceEnv.extend({
  HTTP_PORT: httpPort(3002),
});
export type BuilderConfig = z.infer<typeof BuilderEnv>;

export const loadBuilderConfig = (env: NodeJS.ProcessEnv = process.env): BuilderConfig => parseConfig(BuilderEnv, env);

import { resolve } from 'node:path';
import { z } from 'zod';
import { BaseServiceEnv, httpPort, parseConfig } from '@flightdeck/runtime';
import { parsePassThroughList, passThroughProblems } from '../build/network-trust';

const BuilderSettings = BaseServiceEnv.extend({
  HTTP_PORT: httpPort(3002),
  // work dirs, the artifact store, releases and the npm cache live under it
  FLIGHTDECK_DATA_DIR: z
    .string()
    .min(1)
    .default('./.data')
    .transform((p) => resolve(p)),
  // the edge router's port (127.0.0.1); environment and preview URLs point at it
  FLIGHTDECK_EDGE_PORT: httpPort(3080),
  // builds one replica runs at once; more jobs wait on the queue for this or another replica
  FLIGHTDECK_BUILD_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
  // a new release must answer GET / below 500 within this, or the deployment fails
  FLIGHTDECK_HEALTH_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(60_000),
});

export const BuilderEnv = BuilderSettings.extend({
  // more variables of the machine's network trust that builds get besides the CA bundle, proxy and
  // registry ones (comma-separated names); a platform credential or a builder setting stops the start
  FLIGHTDECK_BUILD_PASS_THROUGH: z
    .string()
    .optional()
    .transform(parsePassThroughList)
    .superRefine((names, ctx) => {
      for (const message of passThroughProblems(names, [...Object.keys(BuilderSettings.shape), 'FLIGHTDECK_BUILD_PASS_THROUGH'])) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message });
      }
    }),
});
export type BuilderConfig = z.infer<typeof BuilderEnv>;

export const loadBuilderConfig = (env: NodeJS.ProcessEnv = process.env): BuilderConfig => parseConfig(BuilderEnv, env);

export const BUILDER_CONFIG = Symbol('BUILDER_CONFIG');

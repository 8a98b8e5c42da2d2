import { z } from 'zod';
import { BaseServiceEnv, httpPort, parseConfig } from '@flightdeck/runtime';

export const ADMIN_TOKEN_MIN_LENGTH = 16;

export const GatewayEnv = BaseServiceEnv.extend({
  FLIGHTDECK_GATEWAY_PORT: httpPort(3000),
  // Bearer token with admin rights. `npm start` creates one on the first start when it is unset.
  FLIGHTDECK_ADMIN_TOKEN: z
    .string({ required_error: `required: the admin bearer token (at least ${ADMIN_TOKEN_MIN_LENGTH} characters)` })
    .min(ADMIN_TOKEN_MIN_LENGTH, `must be at least ${ADMIN_TOKEN_MIN_LENGTH} characters`)
    .regex(/^\S+$/, 'must not contain whitespace')
    .describe('sensitive'),
});
export type GatewayConfig = z.infer<typeof GatewayEnv>;

export const loadGatewayConfig = (env: NodeJS.ProcessEnv = process.env): GatewayConfig => parseConfig(GatewayEnv, env);

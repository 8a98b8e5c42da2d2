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
  // Set when this gateway manages the NATS server's users (npm start, tests): the dir holding
  // platform-users.json, users.conf and nats-server's pid file. Unset: publisher routes answer
  // publisher/unsupported and the operator manages publisher users.
  FLIGHTDECK_NATS_AUTH_DIR: z.string().min(1).optional(),
  // the NATS servers shown to external publishers, comma-separated (default: NATS_URL, without credentials)
  FLIGHTDECK_NATS_PUBLIC_URL: z.string().min(1).optional(),
});
export type GatewayConfig = z.infer<typeof GatewayEnv>;

export const loadGatewayConfig = (env: NodeJS.ProcessEnv = process.env): GatewayConfig => parseConfig(GatewayEnv, env);

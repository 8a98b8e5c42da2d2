import { z } from 'zod';
import { BaseServiceEnv, httpPort, parseConfig } from '@flightdeck/runtime';

const SECRET_KEY_FORMAT = 'must be the base64 of exactly 32 random bytes (e.g. `openssl rand -base64 32`)';

// Strict: what decodes must re-encode to the same text, so a truncated or mangled key is refused
// instead of being silently read as a different key.
const isBase64Of32Bytes = (value: string) => {
  const bytes = Buffer.from(value, 'base64');
  return bytes.length === 32 && bytes.toString('base64') === value;
};

export const EnvironmentManagerEnv = BaseServiceEnv.extend({
  HTTP_PORT: httpPort(3004),
  // AES-256-GCM key for sensitive variables; never logged, never sent anywhere
  FLIGHTDECK_SECRET_KEY: z
    .string({ required_error: `is required: ${SECRET_KEY_FORMAT}` })
    .trim()
    .refine(isBase64Of32Bytes, SECRET_KEY_FORMAT),
  // Older keys, comma-separated, that only open values sealed before a rotation; once
  // `npm run rotate-key` reports nothing remaining they can be removed. Never logged.
  FLIGHTDECK_PREVIOUS_SECRET_KEYS: z
    .string()
    .default('')
    .transform((v) => v.split(/[\s,]+/).filter(Boolean))
    .superRefine((keys, ctx) => {
      keys.forEach((k, i) => {
        if (!isBase64Of32Bytes(k)) ctx.addIssue({ code: z.ZodIssueCode.custom, message: `key ${i + 1} of the list ${SECRET_KEY_FORMAT}` });
      });
    }),
});
export type EnvironmentManagerConfig = z.infer<typeof EnvironmentManagerEnv>;

export const loadEnvironmentManagerConfig = (env: NodeJS.ProcessEnv = process.env): EnvironmentManagerConfig =>
  parseConfig(EnvironmentManagerEnv, env);

export const ENVIRONMENT_MANAGER_CONFIG = Symbol('ENVIRONMENT_MANAGER_CONFIG');

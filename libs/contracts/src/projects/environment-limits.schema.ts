import { z } from 'zod';

// What one build or one release of an environment may use. Every field is optional: what an
// environment leaves out comes from the operator's defaults (the builder's FLIGHTDECK_BUILD_* and
// FLIGHTDECK_RELEASE_* settings), and what it sets is capped by the builder at what the host can give.
const memoryMb = z.number().int().min(64).max(1_048_576);
const processes = z.number().int().min(16).max(65_536);
const cpus = z.number().min(0.05).max(1024);

export const BuildLimits = z
  .object({
    memoryMb,
    processes,
    cpus,
    /** the work dir (checkout, dependencies, output) */
    diskMb: z.number().int().min(64).max(10_485_760),
    installTimeoutSeconds: z.number().int().min(10).max(86_400),
    buildTimeoutSeconds: z.number().int().min(10).max(86_400),
  })
  .partial()
  .strict();
export type BuildLimits = z.infer<typeof BuildLimits>;

export const ReleaseLimits = z.object({ memoryMb, processes, cpus }).partial().strict();
export type ReleaseLimits = z.infer<typeof ReleaseLimits>;

export const EnvironmentLimits = z
  .object({
    build: BuildLimits.optional(),
    release: ReleaseLimits.optional(),
  })
  .strict();
export type EnvironmentLimits = z.infer<typeof EnvironmentLimits>;

import { z } from 'zod';

// A folder of the repository, written relative to its root: never absolute, never leaving it.
export const RepositoryDirectory = z
  .string()
  .trim()
  .min(1)
  .max(300)
  .refine((p) => !p.startsWith('/') && !/^[A-Za-z]:[\\/]/.test(p), { message: 'must be relative to the repository root, not an absolute path' })
  .refine((p) => !p.split(/[\\/]+/).includes('..'), { message: 'must stay inside the repository: ".." is not allowed' })
  .refine((p) => !/[\0\n\r]/.test(p), { message: 'must not contain control characters' })
  .transform((p) => p.replace(/\\/g, '/').replace(/\/+/g, '/').replace(/^(\.\/)+/, '').replace(/\/$/, '') || '.');

// A shell command line run in the sandbox of the build (install, build) or of the release (start).
const CommandLine = z
  .string()
  .trim()
  .min(1)
  .max(2000)
  .refine((c) => !/[\0\n\r]/.test(c), { message: 'must be one line' });

// How a new release takes an environment's traffic (Node releases behind the internal provider's edge):
// - rolling: the atomic switch once healthy, the previous release drained then stopped (the default);
// - blue-green: the same switch, the previous release kept running (warm) keepWarmSeconds after
//   its drain, so a rollback to it is a route switch with nothing to start;
// - canary: the new release gets `percent` % of clients per step, each held holdSeconds, sticky per
//   client by cookie; rolled back when its 5xx share at the edge passes maxErrorRate (once it has
//   answered minRequests), then 100 %. POST /deployments/:id/promote and /abort act on it meanwhile.
const CanaryStep = z
  .object({ percent: z.number().int().min(1).max(99), holdSeconds: z.number().min(0).max(86_400) })
  .strict();
export const DeployStrategy = z.discriminatedUnion('type', [
  z.object({ type: z.literal('rolling') }).strict(),
  z.object({ type: z.literal('blue-green'), keepWarmSeconds: z.number().min(0).max(86_400).optional() }).strict(),
  z
    .object({
      type: z.literal('canary'),
      steps: z
        .array(CanaryStep)
        .min(1)
        .max(10)
        .refine((s) => s.every((step, i) => i === 0 || step.percent > s[i - 1].percent), { message: 'each step must send more clients than the one before' }),
      maxErrorRate: z.number().min(0).max(1).optional(),
      minRequests: z.number().int().min(1).max(1_000_000).optional(),
    })
    .strict(),
]);
export type DeployStrategy = z.infer<typeof DeployStrategy>;
export const DEFAULT_KEEP_WARM_SECONDS = 600;
export const DEFAULT_CANARY_MAX_ERROR_RATE = 0.05;
export const DEFAULT_CANARY_MIN_REQUESTS = 20;

// How an environment's app is built and run; every field is optional and, when absent, detected
// from the repository. Set per environment and overridable per trigger (field by field).
export const BuildSettings = z
  .object({
    // the app's folder in a monorepo; install runs at the workspace root
    rootDirectory: RepositoryDirectory.optional(),
    installCommand: CommandLine.optional(),
    buildCommand: CommandLine.optional(),
    // relative to rootDirectory: what a static site serves
    outputDirectory: RepositoryDirectory.optional(),
    startCommand: CommandLine.optional(),
    // run after the build (in the app's folder); a non-zero exit fails the deployment, and the
    // counts its runner prints (jest, vitest, mocha, node --test) are in the result
    testCommand: CommandLine.optional(),
    // a major ("20") or an exact version ("20.11.1")
    nodeVersion: z.string().trim().regex(/^\d{1,3}(\.\d{1,4}){0,2}$/, 'must be a major ("20") or a version ("20.11.1")').optional(),
    // a slug of the detector's framework list ("vite", "nextjs", "create-react-app"...) to force it
    framework: z.string().trim().regex(/^[a-z0-9][a-z0-9-]{0,59}$/, 'must be a framework slug such as "vite" or "nextjs"').optional(),
    healthCheckPath: z.string().trim().max(500).regex(/^\/[^\s]*$/, 'must be a path starting with "/"').optional(),
    // deploy the repository as it is (a committed build): no install, no build
    skipBuild: z.boolean().optional(),
    // how the release takes the environment's traffic (rolling when absent)
    strategy: DeployStrategy.optional(),
  })
  .strict();
export type BuildSettings = z.infer<typeof BuildSettings>;

export const BUILD_SETTING_KEYS = Object.keys(BuildSettings.shape) as (keyof BuildSettings)[];

// PATCH of an environment's build settings: a field given is set, null unsets it (detected again),
// a field left out is kept.
const S = BuildSettings.shape;
export const BuildSettingsPatch = z
  .object({
    rootDirectory: S.rootDirectory.unwrap().nullable().optional(),
    installCommand: S.installCommand.unwrap().nullable().optional(),
    buildCommand: S.buildCommand.unwrap().nullable().optional(),
    outputDirectory: S.outputDirectory.unwrap().nullable().optional(),
    startCommand: S.startCommand.unwrap().nullable().optional(),
    testCommand: S.testCommand.unwrap().nullable().optional(),
    nodeVersion: S.nodeVersion.unwrap().nullable().optional(),
    framework: S.framework.unwrap().nullable().optional(),
    healthCheckPath: S.healthCheckPath.unwrap().nullable().optional(),
    skipBuild: S.skipBuild.unwrap().nullable().optional(),
    strategy: DeployStrategy.nullable().optional(),
  })
  .strict();
export type BuildSettingsPatch = z.infer<typeof BuildSettingsPatch>;

export const applyBuildSettingsPatch = (current: BuildSettings, patch: BuildSettingsPatch): BuildSettings => {
  const out: Record<string, unknown> = { ...current };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else if (v !== undefined) out[k] = v;
  }
  return out as BuildSettings;
};

// Environment settings, then the trigger's, field by field.
export const mergeBuildSettings = (...layers: (BuildSettings | undefined | null)[]): BuildSettings => {
  const out: Record<string, unknown> = {};
  for (const layer of layers) for (const [k, v] of Object.entries(layer ?? {})) if (v !== undefined) out[k] = v;
  return out as BuildSettings;
};

// What the builder made of a repository (detected, or taken from the settings): written to the
// build log's first lines and to the deployment's metadata (metadata.build).
export const BuildDetection = z.object({
  rootDirectory: z.string(),
  framework: z.string().nullable(),
  frameworkName: z.string().nullable(),
  frameworkVersion: z.string().nullable(),
  packageManager: z.string().nullable(),
  installCommand: z.string().nullable(),
  buildCommand: z.string().nullable(),
  outputDirectory: z.string().nullable(),
  startCommand: z.string().nullable(),
  // static: files served by the edge; node: a server process; docker: left to the Docker provider
  runKind: z.enum(['static', 'node', 'docker']),
  // one line per decision, in the order they were made
  why: z.array(z.string()),
});
export type BuildDetection = z.infer<typeof BuildDetection>;

import { z } from 'zod';
import { ErrorClass } from '../errors/error-catalog';
import { DeploymentStatus } from '../deployments/deployment.schema';
import { Id } from '../common.schema';
import { LogVolume } from '../logs/log-line.schema';

export const TestCounts = z.object({
  runner: z.enum(['jest', 'vitest', 'mocha', 'node']),
  passed: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  skipped: z.number().int().nonnegative(),
});
export type TestCounts = z.infer<typeof TestCounts>;

export const BuildWarning = z.object({
  step: z.string(),
  // the log line's seq: GET …/logs around it shows the context
  seq: z.number().int().positive(),
  message: z.string().max(1000),
});
export type BuildWarning = z.infer<typeof BuildWarning>;

// What a build measured and noticed, sent with its result (BuildResult.summary) and kept as the
// deployment's metadata.result. Times in ms; sizes in bytes.
export const BuildSummary = z.object({
  installTimeMs: z.number().int().nonnegative().nullable(),
  buildTimeMs: z.number().int().nonnegative().nullable(),
  testTimeMs: z.number().int().nonnegative().nullable(),
  packageTimeMs: z.number().int().nonnegative().nullable(),
  buildSizeBytes: z.number().int().nonnegative().nullable(),
  framework: z.string().nullable(),
  // deprecated packages, peer-dependency warnings and the like, the first 50
  warnings: z.array(BuildWarning).max(50),
  warningCount: z.number().int().nonnegative(),
  tests: TestCounts.nullable(),
});
export type BuildSummary = z.infer<typeof BuildSummary>;

// GET /deployments/:id/result
export const DeploymentResult = z.object({
  deploymentId: Id,
  status: DeploymentStatus,
  // install + build + tests, as the builder measured them; null until the build ran
  buildTimeMs: z.number().int().nonnegative().nullable(),
  buildSizeBytes: z.number().int().nonnegative().nullable(),
  framework: z.string().nullable(),
  frameworkVersion: z.string().nullable(),
  warnings: z.array(BuildWarning),
  warningCount: z.number().int().nonnegative(),
  testsPassed: z.number().int().nonnegative().nullable(),
  testsFailed: z.number().int().nonnegative().nullable(),
  testsSkipped: z.number().int().nonnegative().nullable(),
  testRunner: z.string().nullable(),
  error: z
    .object({ code: z.string(), message: z.string(), step: z.string().nullable(), lastLines: z.array(z.string()), class: ErrorClass.nullable() })
    .nullable(),
  // lines and UTF-8 message bytes its log stored so far (log-ingest's count); null when log-ingest did not answer
  logVolume: LogVolume.nullable(),
});
export type DeploymentResult = z.infer<typeof DeploymentResult>;

// GET /deployments/:id/metrics: build times per step, artifact size and total duration; null until measured
export const DeploymentMetrics = z.object({
  deploymentId: z.string(),
  status: z.string(),
  installTimeMs: z.number().nullable(),
  buildTimeMs: z.number().nullable(),
  testTimeMs: z.number().nullable(),
  packageTimeMs: z.number().nullable(),
  buildSizeBytes: z.number().nullable(),
  // trigger to end, as the orchestrator counts it
  durationMs: z.number().nullable(),
});
export type DeploymentMetrics = z.infer<typeof DeploymentMetrics>;

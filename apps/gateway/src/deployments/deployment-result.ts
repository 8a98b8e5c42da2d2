import { z } from 'zod';
import { BuildDetection, BuildSummary, type Deployment, type DeploymentMetrics, type DeploymentResult, type LogVolume } from '@flightdeck/contracts';

const Failure = z.object({ step: z.string().nullable().optional(), lastLines: z.array(z.string()).optional() });

const parsed = <T>(schema: z.ZodType<T>, value: unknown): T | undefined => {
  const r = schema.safeParse(value);
  return r.success ? r.data : undefined;
};

// GET /deployments/:id/result: what its build measured and noticed (metadata.result, sent by the
// builder with its result), what it detected (metadata.build), how it failed, and its log's volume
// (log-ingest's, asked beside it).
export function deploymentResultOf(d: Deployment, logVolume: LogVolume | null): DeploymentResult {
  const s = parsed(BuildSummary, d.metadata.result);
  const build = parsed(BuildDetection, d.metadata.build);
  const failure = parsed(Failure, d.metadata.failure);
  const times = s ? [s.installTimeMs, s.buildTimeMs, s.testTimeMs].filter((t): t is number => t !== null) : [];
  return {
    deploymentId: d.id,
    status: d.status,
    buildTimeMs: times.length ? times.reduce((a, b) => a + b, 0) : null,
    buildSizeBytes: s?.buildSizeBytes ?? d.artifact?.sizeBytes ?? null,
    framework: s?.framework ?? build?.framework ?? null,
    frameworkVersion: build?.frameworkVersion ?? null,
    warnings: s?.warnings ?? [],
    warningCount: s?.warningCount ?? 0,
    testsPassed: s?.tests?.passed ?? null,
    testsFailed: s?.tests?.failed ?? null,
    testsSkipped: s?.tests?.skipped ?? null,
    testRunner: s?.tests?.runner ?? null,
    error: d.errorCode
      ? { code: d.errorCode, message: d.errorMessage ?? '', step: failure?.step ?? null, lastLines: failure?.lastLines ?? [], class: d.errorClass ?? null }
      : null,
    logVolume,
  };
}

export function deploymentMetricsOf(d: Deployment): DeploymentMetrics {
  const s = parsed(BuildSummary, d.metadata.result);
  return {
    deploymentId: d.id,
    status: d.status,
    installTimeMs: s?.installTimeMs ?? null,
    buildTimeMs: s?.buildTimeMs ?? null,
    testTimeMs: s?.testTimeMs ?? null,
    packageTimeMs: s?.packageTimeMs ?? null,
    buildSizeBytes: s?.buildSizeBytes ?? d.artifact?.sizeBytes ?? null,
    durationMs: d.durationMs,
  };
}

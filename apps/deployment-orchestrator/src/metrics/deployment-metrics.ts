import { Injectable } from '@nestjs/common';
import { Counter, Histogram, register } from 'prom-client';
import type { Deployment } from '@flightdeck/contracts';

// Label values Prometheus keeps: every distinct (project, environment) is a series per metric, so
// only the first MAX_TARGETS pairs a process sees get their own; later ones are counted as `other`.
export const MAX_TARGETS = 200;

export class BoundedLabels {
  private readonly seen = new Set<string>();
  constructor(private readonly max = MAX_TARGETS) {}

  of(projectId: string, environmentId: string): { project: string; environment: string } {
    const key = `${projectId}/${environmentId}`;
    if (this.seen.has(key) || this.seen.size < this.max) {
      this.seen.add(key);
      return { project: projectId, environment: environmentId };
    }
    return { project: 'other', environment: 'other' };
  }
}

const metric = <T>(name: string, make: () => T): T => (register.getSingleMetric(name) as T | undefined) ?? make();

// Deployment counters and histograms on the orchestrator's /metrics: triggered, finished by status
// and error code, duration (started → ended) and artifact size.
@Injectable()
export class DeploymentMetrics {
  private readonly labels = new BoundedLabels();
  // one registry per process: a second app instance in the same process (tests) reuses the metrics
  private readonly triggered = metric(
    'flightdeck_deployments_triggered_total',
    () => new Counter({ name: 'flightdeck_deployments_triggered_total', help: 'deployments created', labelNames: ['project', 'environment', 'trigger'] }),
  );
  private readonly finished = metric(
    'flightdeck_deployments_finished_total',
    () =>
      new Counter({
        name: 'flightdeck_deployments_finished_total',
        help: 'deployments that ended, by status and error code',
        labelNames: ['project', 'environment', 'status', 'error_code'],
      }),
  );
  private readonly duration = metric(
    'flightdeck_deployment_duration_seconds',
    () =>
      new Histogram({
        name: 'flightdeck_deployment_duration_seconds',
        help: 'started → ended',
        labelNames: ['project', 'environment', 'status'],
        buckets: [1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1800],
      }),
  );
  private readonly artifactSize = metric(
    'flightdeck_artifact_size_bytes',
    () =>
      new Histogram({
        name: 'flightdeck_artifact_size_bytes',
        help: 'size of a successful deployment\'s artifact',
        labelNames: ['project', 'environment'],
        buckets: [1e4, 1e5, 1e6, 1e7, 5e7, 1e8, 5e8],
      }),
  );

  created(d: Deployment): void {
    this.triggered.inc({ ...this.labels.of(d.projectId, d.environmentId), trigger: d.trigger });
  }

  ended(d: Deployment): void {
    const where = this.labels.of(d.projectId, d.environmentId);
    this.finished.inc({ ...where, status: d.status, error_code: d.errorCode ?? '' });
    if (d.durationMs !== null) this.duration.observe({ ...where, status: d.status }, Number(d.durationMs) / 1000);
    if (d.status === 'succeeded' && d.artifact) this.artifactSize.observe(where, d.artifact.sizeBytes);
  }
}

import { Injectable } from '@nestjs/common';
import { Gauge, register } from 'prom-client';
import { DeploymentProjectsRepository, type ProjectVolume } from './deployment-projects.repository';

const metric = <T>(name: string, make: () => T): T => (register.getSingleMetric(name) as T | undefined) ?? make();

// at most this many project series, plus 'other' and 'unknown'
export const MAX_PROJECT_SERIES = 200;

// Log volume per project, read from logs.deployment_volume when /metrics is scraped: lines and
// message bytes ever stored (retention does not lower them), so an operator sees who logs most.
@Injectable()
export class LogVolumeMetrics {
  constructor(projects: DeploymentProjectsRepository) {
    let reading: Promise<ProjectVolume[]> | undefined;
    const volume = () => (reading ??= projects.volumeByProject(MAX_PROJECT_SERIES).finally(() => setImmediate(() => (reading = undefined))));
    const gauge = (name: string, help: string, pick: (v: ProjectVolume) => number) =>
      metric(
        name,
        () =>
          new Gauge({
            name,
            help,
            labelNames: ['project'],
            async collect() {
              this.reset();
              for (const v of await volume()) this.set({ project: v.project }, pick(v));
            },
          }),
      );
    gauge('flightdeck_log_project_lines', `log lines stored per project (the ${MAX_PROJECT_SERIES} largest; the rest as project="other")`, (v) => v.lines);
    gauge('flightdeck_log_project_bytes', `UTF-8 bytes of log messages stored per project (the ${MAX_PROJECT_SERIES} largest; the rest as project="other")`, (v) => v.bytes);
  }
}

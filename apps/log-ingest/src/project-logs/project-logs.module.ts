import { type DynamicModule, Module } from '@nestjs/common';
import { DeploymentProjectsConsumer } from './deployment-projects.consumer';
import { DeploymentProjectsRepository } from './deployment-projects.repository';
import { LogVolumeMetrics } from './log-volume.metrics';
import { ProjectLogSearchRepository } from './project-log-search.repository';
import { ProjectLogsHandler } from './project-logs.handler';
import { PROJECT_LOGS_SETTINGS, type ProjectLogsSettings } from './project-logs.settings';

// A project's log lines together: which deployments are its, the search over them, its
// retention, its volume on /metrics.
@Module({})
export class ProjectLogsModule {
  static forRoot(settings: ProjectLogsSettings): DynamicModule {
    return {
      module: ProjectLogsModule,
      providers: [{ provide: PROJECT_LOGS_SETTINGS, useValue: settings }, DeploymentProjectsRepository, ProjectLogSearchRepository, LogVolumeMetrics],
      controllers: [DeploymentProjectsConsumer, ProjectLogsHandler],
    };
  }
}

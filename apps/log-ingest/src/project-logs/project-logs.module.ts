import { Module } from '@nestjs/common';
import { DeploymentProjectsConsumer } from './deployment-projects.consumer';
import { DeploymentProjectsRepository } from './deployment-projects.repository';
import { LogVolumeMetrics } from './log-volume.metrics';
import { ProjectLogSearchRepository } from './project-log-search.repository';
import { ProjectLogsHandler } from './project-logs.handler';

// A project's log lines together: which deployments are its, the search over them.
@Module({
  providers: [DeploymentProjectsRepository, ProjectLogSearchRepository, LogVolumeMetrics],
  controllers: [DeploymentProjectsConsumer, ProjectLogsHandler],
})
export class ProjectLogsModule {}

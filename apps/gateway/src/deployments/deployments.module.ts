import { Module } from '@nestjs/common';
import { ApprovalsController } from './approvals.controller';
import { DeploymentConfigController } from './deployment-config.controller';
import { DeploymentsController } from './deployments.controller';
import { EnvironmentPauseController } from './environment-pause.controller';
import { ProjectAnalyticsController } from './project-analytics.controller';
import { ProjectDeploymentsController } from './project-deployments.controller';
import { ProviderReportController } from './provider-report.controller';

@Module({ controllers: [ProjectDeploymentsController, DeploymentsController, DeploymentConfigController, ProjectAnalyticsController, EnvironmentPauseController, ApprovalsController, ProviderReportController] })
export class DeploymentsModule {}

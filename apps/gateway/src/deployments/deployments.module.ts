import { Module } from '@nestjs/common';
import { DeploymentsController } from './deployments.controller';
import { ProjectAnalyticsController } from './project-analytics.controller';
import { ProjectDeploymentsController } from './project-deployments.controller';

@Module({ controllers: [ProjectDeploymentsController, DeploymentsController, ProjectAnalyticsController] })
export class DeploymentsModule {}

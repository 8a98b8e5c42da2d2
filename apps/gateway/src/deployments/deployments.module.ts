import { Module } from '@nestjs/common';
import { DeploymentsController } from './deployments.controller';
import { ProjectDeploymentsController } from './project-deployments.controller';

@Module({ controllers: [ProjectDeploymentsController, DeploymentsController] })
export class DeploymentsModule {}

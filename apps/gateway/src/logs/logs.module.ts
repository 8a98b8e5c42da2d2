import { Module } from '@nestjs/common';
import { DeploymentLogsController } from './deployment-logs.controller';
import { ProjectLogsController } from './project-logs.controller';

@Module({ controllers: [DeploymentLogsController, ProjectLogsController] })
export class LogsModule {}

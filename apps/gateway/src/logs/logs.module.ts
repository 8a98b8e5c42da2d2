import { Module } from '@nestjs/common';
import { DeploymentLogsController } from './deployment-logs.controller';

@Module({ controllers: [DeploymentLogsController] })
export class LogsModule {}

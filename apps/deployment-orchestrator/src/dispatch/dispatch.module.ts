import { Module } from '@nestjs/common';
import { DeployJobDispatcher } from './deploy-job.dispatcher';
import { ProjectDirectory } from './project-directory';

@Module({
  providers: [DeployJobDispatcher, ProjectDirectory],
  exports: [DeployJobDispatcher, ProjectDirectory],
})
export class DispatchModule {}

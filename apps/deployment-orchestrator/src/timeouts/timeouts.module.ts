import { Module } from '@nestjs/common';
import { DeploymentsModule } from '../deployments/deployments.module';
import { DeploymentSweeper } from './deployments.sweeper';

@Module({
  imports: [DeploymentsModule],
  providers: [DeploymentSweeper],
})
export class TimeoutsModule {}

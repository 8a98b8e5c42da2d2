import { Module } from '@nestjs/common';
import { DeploymentsModule } from '../deployments/deployments.module';
import { DeploymentSweeper } from './deployment-sweeper';

@Module({
  imports: [DeploymentsModule],
  providers: [DeploymentSweeper],
})
export class TimeoutsModule {}

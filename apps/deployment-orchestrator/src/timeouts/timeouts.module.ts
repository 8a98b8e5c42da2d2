import { Module } from '@nestjs/common';
import { DeploymentsModule } from '../deployments/deployments.module';
import { DeploymentSweeper } from './deployments.sweeper';
import { SweeperLeadership } from './sweeper-leadership';

@Module({
  imports: [DeploymentsModule],
  providers: [DeploymentSweeper, SweeperLeadership],
  exports: [SweeperLeadership],
})
export class TimeoutsModule {}

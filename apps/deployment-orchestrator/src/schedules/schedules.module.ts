import { Module } from '@nestjs/common';
import { DeploymentsModule } from '../deployments/deployments.module';
import { DispatchModule } from '../dispatch/dispatch.module';
import { TimeoutsModule } from '../timeouts/timeouts.module';
import { DeploymentSchedulesRepository } from './deployment-schedules.repository';
import { DeploymentSchedulesService } from './deployment-schedules.service';
import { ScheduleFiring } from './schedule-firing.service';
import { SchedulesHandler } from './schedules.handler';

@Module({
  imports: [DeploymentsModule, DispatchModule, TimeoutsModule],
  providers: [DeploymentSchedulesRepository, DeploymentSchedulesService, ScheduleFiring],
  controllers: [SchedulesHandler],
})
export class SchedulesModule {}

import { Module } from '@nestjs/common';
import { DeploymentsModule } from '../deployments/deployments.module';
import { BuildEventsConsumer } from './build-events.consumer';
import { BuildEventsService } from './build-events.service';

@Module({
  imports: [DeploymentsModule],
  providers: [BuildEventsService],
  controllers: [BuildEventsConsumer],
})
export class BuildEventsModule {}

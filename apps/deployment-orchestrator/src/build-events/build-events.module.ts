import { Module } from '@nestjs/common';
import { DeploymentsModule } from '../deployments/deployments.module';
import { BuildEventsConsumer } from './build-events.consumer';
import { BuildEventsService } from './build-events.service';
import { ExternalBuildEventsConsumer } from './external-build-events.consumer';

@Module({
  imports: [DeploymentsModule],
  providers: [BuildEventsService],
  controllers: [BuildEventsConsumer, ExternalBuildEventsConsumer],
})
export class BuildEventsModule {}

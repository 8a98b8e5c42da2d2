import { type DynamicModule, Module } from '@nestjs/common';
import { configModule, serviceModule } from '@flightdeck/runtime';
import { migrations } from '@flightdeck/migrations/deployment-orchestrator';
import { BuildEventsModule } from './build-events/build-events.module';
import { type DeploymentOrchestratorConfig, ORCHESTRATOR_CONFIG } from './config/deployment-orchestrator.config';
import { DeploymentTransitionEntity } from './deployments/deployment-transition.entity';
import { DeploymentEntity } from './deployments/deployment.entity';
import { MetricsModule } from './metrics/metrics.module';
import { DeploymentsModule } from './deployments/deployments.module';
import { DeploymentScheduleEntity } from './schedules/deployment-schedule.entity';
import { SchedulesModule } from './schedules/schedules.module';
import { TimeoutsModule } from './timeouts/timeouts.module';

@Module({})
export class AppModule {
  static forRoot(config: DeploymentOrchestratorConfig): DynamicModule {
    return serviceModule(AppModule, {
      name: 'deployment-orchestrator',
      config,
      migrations,
      entities: [DeploymentEntity, DeploymentTransitionEntity, DeploymentScheduleEntity],
      imports: [configModule(ORCHESTRATOR_CONFIG, config), DeploymentsModule, BuildEventsModule, TimeoutsModule, MetricsModule, SchedulesModule],
    });
  }
}

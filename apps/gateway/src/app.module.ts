import { type DynamicModule, Module } from '@nestjs/common';
import { serviceModule } from '@flightdeck/runtime';
import { migrations } from '@flightdeck/migrations/gateway';
import { ACCESS_ENTITIES } from './access/access.entities';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import type { GatewayConfig } from './config/gateway.config';
import { DeploymentsModule } from './deployments/deployments.module';
import { EdgeModule } from './edge/edge.module';
import { EnvironmentsModule } from './environments/environments.module';
import { HooksModule } from './hooks/hooks.module';
import { HttpModule } from './http/http.module';
import { RequestRateLimitModule } from './http/request-rate-limit.module';
import { LiveModule } from './live/live.module';
import { LogsModule } from './logs/logs.module';
import { ProjectsModule } from './projects/projects.module';
import { SchedulesModule } from './schedules/schedules.module';
import { PublisherEntity } from './publishers/publisher.entity';
import { PublishersModule } from './publishers/publishers.module';
import { SystemModule } from './system/system.module';
import { WebhooksModule } from './webhooks/webhooks.module';

// Call configureHttp(app) before app.init(): the API prefix, the correlation id and OpenAPI.
@Module({})
export class AppModule {
  static forRoot(config: GatewayConfig): DynamicModule {
    return serviceModule(AppModule, {
      name: 'gateway',
      config,
      migrations,
      entities: [PublisherEntity, ...ACCESS_ENTITIES],
      imports: [
        AuthModule.forRoot(config.FLIGHTDECK_ADMIN_TOKEN),
        AuditModule,
        HttpModule,
        RequestRateLimitModule.forRoot(config.FLIGHTDECK_API_REQUESTS_PER_MINUTE, config.FLIGHTDECK_ADMIN_TOKEN),
        SystemModule.forRoot(config),
        ProjectsModule,
        PublishersModule.forRoot(config),
        EnvironmentsModule,
        DeploymentsModule,
        SchedulesModule,
        LogsModule,
        LiveModule,
        WebhooksModule.forRoot(config),
        HooksModule.forRoot(config),
        EdgeModule.forRoot(config),
      ],
    });
  }
}

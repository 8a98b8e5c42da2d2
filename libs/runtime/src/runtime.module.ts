import { type DynamicModule, Global, Module, type OnModuleInit, Inject, Injectable } from '@nestjs/common';
import { collectDefaultMetrics, register } from 'prom-client';
import { HealthController } from './health.controller';
import { loggerModule } from './logger';
import { MetricsController } from './metrics.controller';
import { OpsHttpServer } from './ops-port';
import { ReadinessService } from './readiness.service';
import { SERVICE_INFO, type ServiceInfo } from './service-info';
import { SERVICE_SETTINGS, SettingsController } from './settings.controller';
import { StatusHandler } from './status.handler';

export interface RuntimeModuleOptions {
  info: ServiceInfo;
  logLevel: string;
  logFormat: 'json' | 'pretty';
  /** the service's parsed settings, shown masked at GET /debug/settings */
  settings?: Record<string, unknown>;
}

@Injectable()
class DefaultMetrics implements OnModuleInit {
  constructor(@Inject(SERVICE_INFO) private readonly info: ServiceInfo) {}
  onModuleInit() {
    if (register.getSingleMetric('flightdeck_process_cpu_user_seconds_total')) return;
    register.setDefaultLabels({ service: this.info.name, instance: this.info.instanceId });
    collectDefaultMetrics({ prefix: 'flightdeck_' });
  }
}

// Logging, health, metrics and the status ping: what every service has, wired once.
@Global()
@Module({})
export class RuntimeModule {
  static forRoot(o: RuntimeModuleOptions): DynamicModule {
    return {
      module: RuntimeModule,
      imports: [loggerModule(o.info.name, o.info.instanceId, o.logLevel, o.logFormat === 'pretty')],
      controllers: [HealthController, MetricsController, SettingsController, StatusHandler],
      providers: [
        { provide: SERVICE_INFO, useValue: o.info },
        { provide: SERVICE_SETTINGS, useValue: o.settings ?? {} },
        ReadinessService,
        DefaultMetrics,
        OpsHttpServer,
      ],
      exports: [SERVICE_INFO, ReadinessService, OpsHttpServer],
    };
  }
}

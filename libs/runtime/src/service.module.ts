import type { DynamicModule, ModuleMetadata } from '@nestjs/common';
import type { ServiceName } from '@flightdeck/contracts';
import { MessagingModule } from '@flightdeck/messaging';
import { SERVICE_SCHEMAS, ServiceDatabaseModule, type ServiceDataSourceOptions } from '@flightdeck/persistence';
import type { BaseServiceEnvShape } from './config';
import { RuntimeModule } from './runtime.module';
import { newServiceInfo } from './service-info';

export interface ServiceModuleOptions {
  name: ServiceName;
  config: BaseServiceEnvShape;
  entities?: ServiceDataSourceOptions['entities'];
  migrations: ServiceDataSourceOptions['migrations'];
  imports?: ModuleMetadata['imports'];
  controllers?: ModuleMetadata['controllers'];
  providers?: ModuleMetadata['providers'];
  poolSize?: number;
}

// What every service is made of: runtime (logs, health, metrics, status), its own database schema
// with migrations, the bus with its outbox, then the service's own modules.
export function serviceModuleImports(o: ServiceModuleOptions): ModuleMetadata['imports'] {
  const schema = SERVICE_SCHEMAS[o.name];
  return [
    RuntimeModule.forRoot({
      info: newServiceInfo(o.name, o.config.SERVICE_INSTANCE_ID),
      logLevel: o.config.LOG_LEVEL,
      logFormat: o.config.LOG_FORMAT,
      settings: o.config as unknown as Record<string, unknown>,
    }),
    ServiceDatabaseModule.forRoot({
      url: o.config.DATABASE_URL,
      schema,
      entities: o.entities ?? [],
      migrations: o.migrations,
      poolSize: o.poolSize,
      applicationName: o.name,
    }),
    MessagingModule.forRoot({
      serviceName: o.name,
      natsUrl: o.config.NATS_URL,
      // its own NATS user: named after the service unless NATS_USER says otherwise
      natsUser: o.config.NATS_USER ?? (o.config.NATS_PASSWORD ? o.name : undefined),
      natsPassword: o.config.NATS_PASSWORD,
      streamReplicas: o.config.NATS_STREAM_REPLICAS,
      outboxSchema: schema,
    }),
    ...(o.imports ?? []),
  ];
}

export const serviceModule = (module: DynamicModule['module'], o: ServiceModuleOptions): DynamicModule => ({
  module,
  imports: serviceModuleImports(o),
  controllers: o.controllers ?? [],
  providers: o.providers ?? [],
});

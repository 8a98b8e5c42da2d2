import { type DynamicModule, Module } from '@nestjs/common';
import { serviceModule } from '@flightdeck/runtime';
import { migrations } from '@flightdeck/migrations/gateway';
import type { GatewayConfig } from './config/gateway.config';

@Module({})
export class AppModule {
  static forRoot(config: GatewayConfig): DynamicModule {
    return serviceModule(AppModule, { name: 'gateway', config, migrations });
  }
}

import { type DynamicModule, Module } from '@nestjs/common';
import type { GatewayConfig } from '../config/gateway.config';
import { SupervisorStatusReader, SUPERVISOR_FILE } from './supervisor-status.reader';
import { SystemStatusController } from './system-status.controller';

@Module({})
export class SystemModule {
  static forRoot(config: Pick<GatewayConfig, 'FLIGHTDECK_SUPERVISOR_FILE'>): DynamicModule {
    return {
      module: SystemModule,
      controllers: [SystemStatusController],
      providers: [{ provide: SUPERVISOR_FILE, useValue: config.FLIGHTDECK_SUPERVISOR_FILE }, SupervisorStatusReader],
    };
  }
}

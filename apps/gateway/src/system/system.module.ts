import { type DynamicModule, Module } from '@nestjs/common';
import type { GatewayConfig } from '../config/gateway.config';
import { KeyRotationController } from './key-rotation.controller';
import { SupervisorStatusReader, SUPERVISOR_FILE } from './supervisor-status.reader';
import { SystemStatusController } from './system-status.controller';

@Module({})
export class SystemModule {
  static forRoot(config: Pick<GatewayConfig, 'FLIGHTDECK_SUPERVISOR_FILE'>): DynamicModule {
    return {
      module: SystemModule,
      controllers: [SystemStatusController, KeyRotationController],
      providers: [{ provide: SUPERVISOR_FILE, useValue: config.FLIGHTDECK_SUPERVISOR_FILE }, SupervisorStatusReader],
    };
  }
}

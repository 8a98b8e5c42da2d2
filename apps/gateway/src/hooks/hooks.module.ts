import { type DynamicModule, Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { HookDeliverer } from './hook-deliverer.service';
import { HooksConsumer } from './hooks.consumer';
import { HooksController } from './hooks.controller';
import { HooksRepository } from './hooks.repository';
import { HooksService } from './hooks.service';
import { HOOK_SETTINGS, hookSettings } from './hooks.settings';

@Module({})
export class HooksModule {
  static forRoot(config: Parameters<typeof hookSettings>[0]): DynamicModule {
    return {
      module: HooksModule,
      imports: [AuditModule],
      controllers: [HooksController, HooksConsumer],
      providers: [{ provide: HOOK_SETTINGS, useValue: hookSettings(config) }, HooksRepository, HooksService, HookDeliverer],
    };
  }
}

import { type DynamicModule, Module, type ModuleMetadata } from '@nestjs/common';
import { serviceModule } from '@flightdeck/runtime';
import { migrations } from '@flightdeck/migrations/builder';
import { BuilderConfigModule } from './config/builder-config.module';
import type { BuilderConfig } from './config/builder.config';
import { JobsModule } from './jobs/jobs.module';
import { ProviderModule } from './provider/provider.module';

export interface BuilderModuleOptions {
  /** a module exporting RELEASE_PROVIDER in place of the internal provider (tests of the pipeline) */
  releaseModule?: NonNullable<ModuleMetadata['imports']>[number];
}

@Module({})
export class AppModule {
  static forRoot(config: BuilderConfig, o: BuilderModuleOptions = {}): DynamicModule {
    const releaseModule = o.releaseModule ?? ProviderModule.forRoot();
    return serviceModule(AppModule, {
      name: 'builder',
      config,
      migrations,
      imports: [BuilderConfigModule.forRoot(config), JobsModule.register(releaseModule)],
    });
  }
}

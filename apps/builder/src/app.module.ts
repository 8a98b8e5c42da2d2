import { type DynamicModule, Module, type ModuleMetadata } from '@nestjs/common';
import { configModule, serviceModule } from '@flightdeck/runtime';
import { migrations } from '@flightdeck/migrations/builder';
import { BUILDER_CONFIG, type BuilderConfig } from './config/builder.config';
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
      imports: [configModule(BUILDER_CONFIG, config), JobsModule.register(releaseModule)],
    });
  }
}

import { type DynamicModule, Module, type ModuleMetadata } from '@nestjs/common';
import { serviceModule } from '@flightdeck/runtime';
import { migrations } from '@flightdeck/migrations/builder';
import { BuilderConfigModule } from './config/builder-config.module';
import type { BuilderConfig } from './config/builder.config';
import { JobsModule } from './jobs/jobs.module';

export interface BuilderModuleOptions {
  /** a module exporting RELEASE_PROVIDER in place of the internal provider (tests of the pipeline) */
  releaseModule?: NonNullable<ModuleMetadata['imports']>[number];
}

@Module({})
export class AppModule {
  static forRoot(config: BuilderConfig, o: BuilderModuleOptions = {}): DynamicModule {
    // TODO(lead): default to the internal provider's module once apps/builder/src/provider has one
    const releaseModule = o.releaseModule;
    if (!releaseModule) throw new Error('builder: no release provider module is wired (RELEASE_PROVIDER)');
    return serviceModule(AppModule, {
      name: 'builder',
      config,
      migrations,
      imports: [BuilderConfigModule.forRoot(config), JobsModule.register(releaseModule)],
    });
  }
}

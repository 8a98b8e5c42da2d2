import { type DynamicModule, Global, Module } from '@nestjs/common';
import { BUILDER_CONFIG, type BuilderConfig } from './builder.config';

// The parsed configuration, injectable anywhere in the builder as BUILDER_CONFIG.
@Global()
@Module({})
export class BuilderConfigModule {
  static forRoot(config: BuilderConfig): DynamicModule {
    return {
      module: BuilderConfigModule,
      providers: [{ provide: BUILDER_CONFIG, useValue: config }],
      exports: [BUILDER_CONFIG],
    };
  }
}

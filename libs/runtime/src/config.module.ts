import { type DynamicModule, Module } from '@nestjs/common';

@Module({})
export class ServiceConfigModule {}

// A service's parsed configuration, injectable anywhere in it under its token.
export const configModule = (token: symbol, config: unknown): DynamicModule => ({
  module: ServiceConfigModule,
  global: true,
  providers: [{ provide: token, useValue: config }],
  exports: [token],
});

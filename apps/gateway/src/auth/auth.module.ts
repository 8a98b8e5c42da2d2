import { type DynamicModule, Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { BearerAuthGuard } from './bearer-auth.guard';
import { ADMIN_TOKEN, TokenVerifier } from './token-verifier';

// Global: the REST guard and the Socket.IO handshake verify tokens the same way.
@Global()
@Module({})
export class AuthModule {
  static forRoot(adminToken: string): DynamicModule {
    return {
      module: AuthModule,
      providers: [{ provide: ADMIN_TOKEN, useValue: adminToken }, TokenVerifier, { provide: APP_GUARD, useClass: BearerAuthGuard }],
      exports: [ADMIN_TOKEN, TokenVerifier],
    };
  }
}

import { Global, Module } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR } from '@nestjs/core';
import { ApiBus } from './api-bus';
import { ApiExceptionFilter } from './api-exception.filter';
import { JsonBodyInterceptor } from './json-body.interceptor';

// The error shape and the bus-to-HTTP plumbing every API module uses.
@Global()
@Module({
  providers: [ApiBus, { provide: APP_FILTER, useClass: ApiExceptionFilter }, { provide: APP_INTERCEPTOR, useClass: JsonBodyInterceptor }],
  exports: [ApiBus],
})
export class HttpModule {}

import { Global, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { ApiBus } from './api-bus';
import { ApiExceptionFilter } from './api-exception.filter';

// The error shape and the bus-to-HTTP plumbing every API module uses.
@Global()
@Module({
  providers: [ApiBus, { provide: APP_FILTER, useClass: ApiExceptionFilter }],
  exports: [ApiBus],
})
export class HttpModule {}

import { type MiddlewareConsumer, Module, type NestModule } from '@nestjs/common';
import { AuditLogService } from './audit-log.service';
import { AuditTrailMiddleware } from './audit-trail.middleware';
import { AuditController } from './audit.controller';

@Module({ controllers: [AuditController], providers: [AuditLogService], exports: [AuditLogService] })
export class AuditModule implements NestModule {
  configure(consumer: MiddlewareConsumer) {
    consumer.apply(AuditTrailMiddleware).forRoutes('*');
  }
}

import { Controller, Get } from '@nestjs/common';
import type { z } from 'zod';
import { AuditPage, AuditQuery, ErrorCode, SystemAuditQuery } from '@flightdeck/contracts';
import { IdParam, ValidQuery } from '../http/zod-validation.pipe';
import { ApiRoute } from '../openapi/api-route.decorator';
import { AuditLogService } from './audit-log.service';

@Controller()
export class AuditController {
  constructor(private readonly audit: AuditLogService) {}

  @Get('projects/:projectId/audit')
  @ApiRoute({
    summary: "A project's audit log, newest first: every mutating call on it (who, which token, what, outcome, when); project admins",
    access: 'admin',
    ids: ['projectId'],
    query: AuditQuery,
    responses: [{ status: 200, description: 'a page; nextBefore continues it', name: 'AuditPage', schema: AuditPage }],
    errors: [ErrorCode.ProjectNotFound],
  })
  project(@IdParam('projectId') projectId: string, @ValidQuery(AuditQuery) query: z.infer<typeof AuditQuery>) {
    return this.audit.page({ ...query, projectId });
  }

  @Get('audit')
  @ApiRoute({
    summary: 'The whole audit log, newest first (?projectId narrows it); platform admins',
    access: 'platform-admin',
    query: SystemAuditQuery,
    responses: [{ status: 200, description: 'a page; nextBefore continues it', name: 'AuditPage', schema: AuditPage }],
  })
  all(@ValidQuery(SystemAuditQuery) query: z.infer<typeof SystemAuditQuery>) {
    return this.audit.page(query);
  }
}

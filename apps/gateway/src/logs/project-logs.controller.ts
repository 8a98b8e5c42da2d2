import { Controller, Get, Put } from '@nestjs/common';
import type { z } from 'zod';
import {
  ErrorCode,
  LogRetentionBody,
  ProjectLogRetention,
  ProjectLogSearchFields,
  ProjectLogSearchQuery,
  ProjectLogSearchResult,
  getProject,
  searchProjectLogLines,
  setLogRetention,
} from '@flightdeck/contracts';
import { ApiBus } from '../http/api-bus';
import { IdParam, ValidBody, ValidQuery } from '../http/zod-validation.pipe';
import { ApiRoute } from '../openapi/api-route.decorator';

@Controller('projects/:projectId/logs')
export class ProjectLogsController {
  constructor(private readonly api: ApiBus) {}

  @Get('search')
  @ApiRoute({
    summary:
      "Lines of every deployment of a project between from and to (default: the last day; at most 31 days) holding every word of q and q itself, newest first; open the context with GET /deployments/:id/logs?afterSeq=seq-n",
    ids: ['projectId'],
    query: ProjectLogSearchFields,
    responses: [{ status: 200, description: 'the matching lines, each with its deployment and seq', name: 'ProjectLogSearchResult', schema: ProjectLogSearchResult }],
    errors: [ErrorCode.ProjectNotFound, ErrorCode.InvalidInput, ErrorCode.LogSearchRangeTooLarge, ErrorCode.LogSearchTooBroad],
  })
  async search(@IdParam('projectId') projectId: string, @ValidQuery(ProjectLogSearchQuery) query: z.infer<typeof ProjectLogSearchQuery>) {
    // log-ingest knows only projects that have deployments: an unknown one is a 404, not an empty answer
    await this.api.call(getProject, { projectId });
    return this.api.call(searchProjectLogLines, { ...query, projectId });
  }

  @Put('retention')
  @ApiRoute({
    summary:
      "A project's own log retention in days, in place of the operator's LOG_INGEST_RETENTION_DAYS (null: back to it); applied by the next hourly retention run. Lines of each environment's current release are kept whatever the retention",
    ids: ['projectId'],
    body: { name: 'LogRetentionBody', schema: LogRetentionBody },
    responses: [{ status: 200, description: 'the retention now in force', name: 'ProjectLogRetention', schema: ProjectLogRetention }],
    errors: [ErrorCode.ProjectNotFound, ErrorCode.InvalidInput],
  })
  async setRetention(@IdParam('projectId') projectId: string, @ValidBody(LogRetentionBody) body: z.infer<typeof LogRetentionBody>) {
    await this.api.call(getProject, { projectId });
    return this.api.call(setLogRetention, { ...body, projectId });
  }
}

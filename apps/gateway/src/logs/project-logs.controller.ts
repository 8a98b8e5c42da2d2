import { Controller, Get } from '@nestjs/common';
import type { z } from 'zod';
import { ErrorCode, ProjectLogSearchFields, ProjectLogSearchQuery, ProjectLogSearchResult, getProject, searchProjectLogLines } from '@flightdeck/contracts';
import { ApiBus } from '../http/api-bus';
import { IdParam, ValidQuery } from '../http/zod-validation.pipe';
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
}

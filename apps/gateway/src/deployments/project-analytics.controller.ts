import { Controller, Get } from '@nestjs/common';
import type { z } from 'zod';
import { AnalyticsQuery, DeploymentAnalytics, ErrorCode, getProjectAnalytics } from '@flightdeck/contracts';
import { ApiBus } from '../http/api-bus';
import { IdParam, ValidQuery } from '../http/zod-validation.pipe';
import { ApiRoute } from '../openapi/api-route.decorator';

@Controller('projects/:projectId/analytics')
export class ProjectAnalyticsController {
  constructor(private readonly api: ApiBus) {}

  @Get()
  @ApiRoute({
    summary: "What a project's deployments add up to over a window (default: the last 30 days): counts, success rate, percentiles of times, top errors",
    ids: ['projectId'],
    query: AnalyticsQuery,
    responses: [{ status: 200, description: 'the analytics', name: 'DeploymentAnalytics', schema: DeploymentAnalytics }],
    errors: [ErrorCode.ProjectNotFound, ErrorCode.InvalidInput],
  })
  get(@IdParam('projectId') projectId: string, @ValidQuery(AnalyticsQuery) query: z.infer<typeof AnalyticsQuery>) {
    return this.api.call(getProjectAnalytics, { ...query, projectId });
  }
}

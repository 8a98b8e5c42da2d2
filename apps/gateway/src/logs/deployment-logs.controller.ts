import { Controller, Get, Put } from '@nestjs/common';
import type { z } from 'zod';
import {
  ErrorCode,
  LogLevelCounts,
  LogLine,
  LogPin,
  LogPinBody,
  LogQuery,
  LogSearchHit,
  LogSearchQuery,
  countLogLevels,
  getDeployment,
  listLogLines,
  listOf,
  pinLogLines,
  searchLogLines,
} from '@flightdeck/contracts';
import { ApiBus } from '../http/api-bus';
import { IdParam, ValidBody, ValidQuery } from '../http/zod-validation.pipe';
import { ApiRoute } from '../openapi/api-route.decorator';

@Controller('deployments/:deploymentId/logs')
export class DeploymentLogsController {
  constructor(private readonly api: ApiBus) {}

  @Get()
  @ApiRoute({
    summary: "A deployment's stored log lines in seq order: after afterSeq, or the last `tail` (for live lines, Socket.IO /deployments)",
    ids: ['deploymentId'],
    query: LogQuery,
    responses: [{ status: 200, description: 'lines after afterSeq', name: 'LogLineList', schema: listOf(LogLine) }],
    errors: [ErrorCode.DeploymentNotFound],
  })
  list(@IdParam('deploymentId') deploymentId: string, @ValidQuery(LogQuery) query: z.infer<typeof LogQuery>) {
    return this.api.call(listLogLines, { ...query, deploymentId });
  }

  @Get('search')
  @ApiRoute({
    summary: "Lines of a deployment's stored log whose message contains q (case-insensitive), in seq order; open the context with ?afterSeq=seq-n",
    ids: ['deploymentId'],
    query: LogSearchQuery,
    responses: [{ status: 200, description: 'the matching lines, each with its seq', name: 'LogSearchHitList', schema: listOf(LogSearchHit) }],
    errors: [ErrorCode.InvalidInput],
  })
  search(@IdParam('deploymentId') deploymentId: string, @ValidQuery(LogSearchQuery) query: z.infer<typeof LogSearchQuery>) {
    return this.api.call(searchLogLines, { ...query, deploymentId });
  }

  @Get('levels')
  @ApiRoute({
    summary: "How many of a deployment's stored lines are at each level (debug, info, warn, error)",
    ids: ['deploymentId'],
    responses: [{ status: 200, description: 'the counts', name: 'LogLevelCounts', schema: LogLevelCounts }],
  })
  levels(@IdParam('deploymentId') deploymentId: string) {
    return this.api.call(countLogLevels, { deploymentId });
  }

  @Put('pin')
  @ApiRoute({
    summary: "Pin (pinned: true) a deployment's log so that retention never removes it, or unpin it (the next hourly retention run then removes its lines past the retention)",
    ids: ['deploymentId'],
    body: { name: 'LogPinBody', schema: LogPinBody },
    responses: [{ status: 200, description: 'whether it is pinned now', name: 'LogPin', schema: LogPin }],
    errors: [ErrorCode.DeploymentNotFound, ErrorCode.InvalidInput],
  })
  async pin(@IdParam('deploymentId') deploymentId: string, @ValidBody(LogPinBody) body: z.infer<typeof LogPinBody>) {
    // only a deployment that exists can be pinned
    await this.api.call(getDeployment, { deploymentId });
    return this.api.call(pinLogLines, { ...body, deploymentId });
  }
}

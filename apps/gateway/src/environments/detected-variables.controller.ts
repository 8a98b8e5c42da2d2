import { Controller, Get } from '@nestjs/common';
import { z } from 'zod';
import {
  DetectedVariablesQuery,
  DetectedVariablesReport,
  ErrorCode,
  detectVariables,
} from '@flightdeck/contracts';
import { ApiBus } from '../http/api-bus';
import { IdParam, ValidQuery } from '../http/zod-validation.pipe';
import { ApiRoute } from '../openapi/api-route.decorator';

@Controller('projects/:projectId/environments/:environmentId/detected-variables')
export class DetectedVariablesController {
  constructor(private readonly api: ApiBus) {}

  @Get()
  @ApiRoute({
    summary:
      "The variables the project's repository needs (package.json dependencies, .env.example / .env.sample and the framework, at its default branch), each with its rule and whether this environment sets it and its value passes; generate=true suggests a value for each generatable secret not set",
    ids: ['projectId', 'environmentId'],
    query: DetectedVariablesQuery,
    responses: [
      {
        status: 200,
        description: 'what it needs and what is missing or invalid',
        name: 'DetectedVariablesReport',
        schema: DetectedVariablesReport,
      },
    ],
    errors: [ErrorCode.ProjectNotFound, ErrorCode.EnvironmentNotFound, ErrorCode.DetectionSourceUnavailable],
  })
  detect(
    @IdParam('projectId') projectId: string,
    @IdParam('environmentId') environmentId: string,
    @ValidQuery(DetectedVariablesQuery) query: z.infer<typeof DetectedVariablesQuery>,
  ) {
    return this.api.call(detectVariables, { projectId, environmentId, generate: query.generate === 'true' });
  }
}

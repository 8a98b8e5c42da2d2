import { Controller, HttpCode, Post } from '@nestjs/common';
import {
  ErrorCode,
  ValidateVariablesBody,
  VariableValidationReport,
  validateVariables,
} from '@flightdeck/contracts';
import { ApiBus } from '../http/api-bus';
import { IdParam, ValidBody } from '../http/zod-validation.pipe';
import { ApiRoute } from '../openapi/api-route.decorator';

@Controller('environments/:environmentId/variables')
export class VariableValidationController {
  constructor(private readonly api: ApiBus) {}

  // a check, not a change: 200 whether the values pass or not; the report says which fail
  @Post('validate')
  @HttpCode(200)
  @ApiRoute({
    summary:
      "Check values against their rules: {key, value, rule?} one value, {key, rule?} a stored variable, {} every variable of the environment (all failures at once, keyed by variable; without a rule, the key's known rule applies; sensitive values are checked inside environment-manager and never returned)",
    ids: ['environmentId'],
    body: { name: 'ValidateVariablesBody', schema: ValidateVariablesBody },
    responses: [
      {
        status: 200,
        description: 'the verdict per variable',
        name: 'VariableValidationReport',
        schema: VariableValidationReport,
      },
    ],
    errors: [ErrorCode.EnvironmentNotFound, ErrorCode.VariableNotFound, ErrorCode.VariableInvalidRule],
  })
  validate(
    @IdParam('environmentId') environmentId: string,
    @ValidBody(ValidateVariablesBody) body: ValidateVariablesBody,
  ) {
    return this.api.call(validateVariables, { environmentId, ...body });
  }
}

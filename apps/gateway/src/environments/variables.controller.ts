import { Controller, Delete, Get, Put } from '@nestjs/common';
import { z } from 'zod';
import {
  ErrorCode,
  SetVariableBody,
  SetVariableRequest,
  VariableKey,
  VariableView,
  deleteVariable,
  listOf,
  listVariables,
  setVariable,
} from '@flightdeck/contracts';
import { ApiBus } from '../http/api-bus';
import { IdParam, ValidBody, ValidParam, ZodValidationPipe } from '../http/zod-validation.pipe';
import { ApiRoute } from '../openapi/api-route.decorator';

const KEY_PARAM = { name: 'key', schema: VariableKey };

@Controller('environments/:environmentId/variables')
export class VariablesController {
  constructor(private readonly api: ApiBus) {}

  @Put(':key')
  @ApiRoute({
    summary: 'Set a variable (a sensitive one is encrypted at rest and masked in every read)',
    ids: ['environmentId'],
    params: [KEY_PARAM],
    body: { name: 'SetVariableBody', schema: SetVariableBody },
    responses: [{ status: 200, description: 'the variable, masked if sensitive', name: 'Variable', schema: VariableView }],
    errors: [ErrorCode.EnvironmentNotFound, ErrorCode.VariableInvalidValue],
  })
  set(
    @IdParam('environmentId') environmentId: string,
    @ValidParam('key', VariableKey) key: string,
    @ValidBody(SetVariableBody, { textCheckedLater: true }) body: z.infer<typeof SetVariableBody>,
  ) {
    // the body alone cannot say which variable a bad value belongs to: the whole request can
    const request = new ZodValidationPipe(SetVariableRequest).transform({ ...body, environmentId, key });
    return this.api.call(setVariable, request);
  }

  @Get()
  @ApiRoute({
    summary: "List an environment's variables (sensitive values masked)",
    ids: ['environmentId'],
    responses: [{ status: 200, description: 'its variables', name: 'VariableList', schema: listOf(VariableView) }],
    errors: [ErrorCode.EnvironmentNotFound],
  })
  list(@IdParam('environmentId') environmentId: string) {
    return this.api.call(listVariables, { environmentId });
  }

  @Delete(':key')
  @ApiRoute({
    summary: 'Delete a variable',
    ids: ['environmentId'],
    params: [KEY_PARAM],
    responses: [{ status: 200, description: 'deleted', name: 'VariableDeleted', schema: deleteVariable.reply }],
    errors: [ErrorCode.EnvironmentNotFound, ErrorCode.VariableNotFound],
  })
  delete(@IdParam('environmentId') environmentId: string, @ValidParam('key', VariableKey) key: string) {
    return this.api.call(deleteVariable, { environmentId, key });
  }
}

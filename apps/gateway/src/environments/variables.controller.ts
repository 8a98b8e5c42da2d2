import { Body, Controller, Delete, Get, Header, HttpCode, Post, Put } from '@nestjs/common';
import { z } from 'zod';
import {
  ErrorCode,
  ImportVariablesQuery,
  ImportVariablesReport,
  ListVariablesQuery,
  SetVariableBody,
  SetVariableRequest,
  VariableKey,
  VariableView,
  deleteVariable,
  exportVariables,
  importVariables,
  listOf,
  listVariables,
  setVariable,
} from '@flightdeck/contracts';
import { ApiBus } from '../http/api-bus';
import { IdParam, ValidBody, ValidParam, ValidQuery, ZodValidationPipe } from '../http/zod-validation.pipe';
import { ApiRoute } from '../openapi/api-route.decorator';
import { DOTENV_CONTENT_TYPE, DotenvBody, DotenvResponse, importRequest } from './dotenv-transfer';

export const KEY_PARAM = { name: 'key', schema: VariableKey };

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

  @Post('import')
  @HttpCode(200)
  @DotenvBody()
  @ApiRoute({
    summary:
      "Import a .env body (Content-Type: text/plain) into the environment's own variables: a report per line (added, changed, unchanged, refused, malformed); with a refused or malformed line nothing changes unless partial=true",
    ids: ['environmentId'],
    query: ImportVariablesQuery,
    responses: [{ status: 200, description: 'what became of each line', name: 'ImportVariablesReport', schema: ImportVariablesReport }],
    errors: [ErrorCode.EnvironmentNotFound, ErrorCode.VariableImportMalformed],
  })
  import(
    @IdParam('environmentId') environmentId: string,
    @Body() body: unknown,
    @ValidQuery(ImportVariablesQuery) query: z.infer<typeof ImportVariablesQuery>,
  ) {
    return this.api.call(importVariables, importRequest({ environmentId }, body, query));
  }

  @Get('export')
  @Header('Content-Type', DOTENV_CONTENT_TYPE)
  @DotenvResponse()
  @ApiRoute({
    summary: "The environment's own non-sensitive variables as .env text; a sensitive one appears only as a comment naming its key",
    ids: ['environmentId'],
    responses: [],
    errors: [ErrorCode.EnvironmentNotFound],
  })
  async export(@IdParam('environmentId') environmentId: string): Promise<string> {
    return (await this.api.call(exportVariables, { environmentId })).text;
  }

  @Get()
  @ApiRoute({
    summary:
      "List an environment's own variables (sensitive values masked); effective=true adds those it inherits from its project, each with its level",
    ids: ['environmentId'],
    query: ListVariablesQuery,
    responses: [{ status: 200, description: 'its variables', name: 'VariableList', schema: listOf(VariableView) }],
    errors: [ErrorCode.EnvironmentNotFound],
  })
  list(@IdParam('environmentId') environmentId: string, @ValidQuery(ListVariablesQuery) query: z.infer<typeof ListVariablesQuery>) {
    return this.api.call(listVariables, query.effective === 'true' ? { environmentId, effective: true } : { environmentId });
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

import { Body, Controller, Delete, Get, Header, HttpCode, Post, Put } from '@nestjs/common';
import { z } from 'zod';
import {
  ErrorCode,
  ImportVariablesQuery,
  ImportVariablesReport,
  SetProjectVariableRequest,
  SetVariableBody,
  VariableKey,
  VariableView,
  deleteProjectVariable,
  exportVariables,
  importVariables,
  listOf,
  listProjectVariables,
  setProjectVariable,
} from '@flightdeck/contracts';
import { ApiBus } from '../http/api-bus';
import { IdParam, ValidBody, ValidParam, ValidQuery, ZodValidationPipe } from '../http/zod-validation.pipe';
import { ApiRoute } from '../openapi/api-route.decorator';
import { DOTENV_CONTENT_TYPE, DotenvBody, DotenvResponse, importRequest } from './dotenv-transfer';
import { KEY_PARAM } from './variables.controller';

// Project-wide variables: every environment of the project inherits them; an environment variable
// of the same key overrides them (project < environment < trigger).
@Controller('projects/:projectId/variables')
export class ProjectVariablesController {
  constructor(private readonly api: ApiBus) {}

  @Put(':key')
  @ApiRoute({
    summary: 'Set a project-wide variable, inherited by every environment that does not set the same key',
    ids: ['projectId'],
    params: [KEY_PARAM],
    body: { name: 'SetVariableBody', schema: SetVariableBody },
    responses: [{ status: 200, description: 'the variable, masked if sensitive', name: 'Variable', schema: VariableView }],
    errors: [ErrorCode.ProjectNotFound, ErrorCode.VariableInvalidValue],
  })
  set(
    @IdParam('projectId') projectId: string,
    @ValidParam('key', VariableKey) key: string,
    @ValidBody(SetVariableBody) body: z.infer<typeof SetVariableBody>,
  ) {
    const request = new ZodValidationPipe(SetProjectVariableRequest).transform({ ...body, projectId, key });
    return this.api.call(setProjectVariable, request);
  }

  @Post('import')
  @HttpCode(200)
  @DotenvBody()
  @ApiRoute({
    summary:
      "Import a .env body (Content-Type: text/plain) into the project's shared variables: a report per line; with a refused or malformed line nothing changes unless partial=true",
    ids: ['projectId'],
    query: ImportVariablesQuery,
    responses: [{ status: 200, description: 'what became of each line', name: 'ImportVariablesReport', schema: ImportVariablesReport }],
    errors: [ErrorCode.ProjectNotFound, ErrorCode.VariableImportMalformed],
  })
  import(
    @IdParam('projectId') projectId: string,
    @Body() body: unknown,
    @ValidQuery(ImportVariablesQuery) query: z.infer<typeof ImportVariablesQuery>,
  ) {
    return this.api.call(importVariables, importRequest({ projectId }, body, query));
  }

  @Get('export')
  @Header('Content-Type', DOTENV_CONTENT_TYPE)
  @DotenvResponse()
  @ApiRoute({
    summary: "The project's non-sensitive shared variables as .env text; a sensitive one appears only as a comment naming its key",
    ids: ['projectId'],
    responses: [],
    errors: [ErrorCode.ProjectNotFound],
  })
  async export(@IdParam('projectId') projectId: string): Promise<string> {
    return (await this.api.call(exportVariables, { projectId })).text;
  }

  @Get()
  @ApiRoute({
    summary: "List a project's shared variables (sensitive values masked)",
    ids: ['projectId'],
    responses: [{ status: 200, description: 'its variables', name: 'VariableList', schema: listOf(VariableView) }],
    errors: [ErrorCode.ProjectNotFound],
  })
  list(@IdParam('projectId') projectId: string) {
    return this.api.call(listProjectVariables, { projectId });
  }

  @Delete(':key')
  @ApiRoute({
    summary: 'Delete a project-wide variable',
    ids: ['projectId'],
    params: [KEY_PARAM],
    responses: [{ status: 200, description: 'deleted', name: 'VariableDeleted', schema: deleteProjectVariable.reply }],
    errors: [ErrorCode.ProjectNotFound, ErrorCode.VariableNotFound],
  })
  delete(@IdParam('projectId') projectId: string, @ValidParam('key', VariableKey) key: string) {
    return this.api.call(deleteProjectVariable, { projectId, key });
  }
}

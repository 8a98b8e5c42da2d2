import { applyDecorators } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiProduces, ApiResponse } from '@nestjs/swagger';
import { ErrorCode, type ImportVariablesQuery, type ImportVariablesRequest, MAX_IMPORT_BYTES, type VariableScope } from '@flightdeck/contracts';
import { ApiException } from '../http/api.exception';

export const DOTENV_CONTENT_TYPE = 'text/plain; charset=utf-8';

/** OpenAPI: the request body is .env text */
export const DotenvBody = () =>
  applyDecorators(
    ApiConsumes('text/plain'),
    ApiBody({ required: true, description: 'a .env file: KEY=value lines', schema: { type: 'string', example: 'API_URL=https://api.example\nLOG_LEVEL=info\n' } }),
  );
/** OpenAPI: the response is .env text */
export const DotenvResponse = () =>
  applyDecorators(
    ApiProduces('text/plain'),
    ApiResponse({ status: 200, description: '.env text; sensitive variables as `# KEY is sensitive: not exported`', schema: { type: 'string' } }),
  );

// An import's body is the .env text itself (Content-Type: text/plain); its options are query parameters.
export const importRequest = (scope: VariableScope, body: unknown, query: ImportVariablesQuery): ImportVariablesRequest => {
  if (typeof body !== 'string') {
    throw new ApiException(ErrorCode.InvalidInput, 'send the .env text as the request body, with Content-Type: text/plain');
  }
  if (Buffer.byteLength(body) > MAX_IMPORT_BYTES) {
    throw new ApiException(ErrorCode.InvalidInput, `the .env body is larger than ${MAX_IMPORT_BYTES} bytes`);
  }
  return {
    scope,
    text: body,
    partial: query.partial === 'true',
    ...(query.sensitive === 'true' ? { sensitive: true } : {}),
    ...(query.target ? { target: query.target } : {}),
  };
};

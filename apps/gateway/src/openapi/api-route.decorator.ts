import { applyDecorators } from '@nestjs/common';
import { Access, type RouteAccess } from '../access/route-access';
import { ApiBearerAuth, ApiBody, ApiHeader, ApiOperation, ApiParam, ApiQuery, ApiResponse } from '@nestjs/swagger';
import { z } from 'zod';
import { ErrorBodySchema, ErrorCode } from '@flightdeck/contracts';
import { httpStatusOf } from '../http/error-status';
import { JsonBody } from '../http/json-body.interceptor';
import { schemaRef, toOpenApiSchema } from './openapi-schemas';

export const BEARER_SCHEME = 'bearer';

export const ErrorResponseSchema = z.object({ error: ErrorBodySchema });

// Codes any authenticated route can answer with.
const COMMON_ERRORS: ErrorCode[] = [
  ErrorCode.InvalidInput,
  ErrorCode.Unauthenticated,
  ErrorCode.InternalError,
  ErrorCode.ServiceUnavailable,
];

export interface ApiRouteDoc {
  summary: string;
  /** uuid path parameters */
  ids?: string[];
  /** other path parameters */
  params?: { name: string; schema: z.ZodTypeAny }[];
  query?: z.AnyZodObject;
  body?: { name: string; schema: z.ZodTypeAny };
  headers?: { name: string; description: string }[];
  responses: { status: number; description: string; name?: string; schema?: z.ZodTypeAny }[];
  /** error codes this route may answer with, beyond the common ones */
  errors?: ErrorCode[];
  adminOnly?: boolean;
  /** what the caller must be allowed (see RouteAccess); unset: read for GET, admin otherwise, on the project the path names */
  access?: RouteAccess;
}

const errorResponses = (codes: ErrorCode[]) => {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of new Set(codes)) byStatus.set(httpStatusOf(code), [...(byStatus.get(httpStatusOf(code)) ?? []), code]);
  return [...byStatus].map(([status, list]) =>
    ApiResponse({ status, description: list.join(' | '), schema: schemaRef('ErrorResponse', ErrorResponseSchema) }),
  );
};

// The OpenAPI description of one route, built from its contract schemas.
export const ApiRoute = (doc: ApiRouteDoc) => {
  const queryProps = doc.query ? Object.entries(doc.query.shape as Record<string, z.ZodTypeAny>) : [];
  return applyDecorators(
    ...(doc.access ? [Access(doc.access)] : []),
    ApiOperation({ summary: doc.summary }),
    ApiBearerAuth(BEARER_SCHEME),
    ...(doc.ids ?? []).map((name) => ApiParam({ name, required: true, schema: { type: 'string', format: 'uuid' } })),
    ...(doc.params ?? []).map((p) => ApiParam({ name: p.name, required: true, schema: toOpenApiSchema(p.schema) })),
    ...queryProps.map(([name, schema]) => ApiQuery({ name, required: !schema.isOptional(), schema: toOpenApiSchema(schema) })),
    ...(doc.headers ?? []).map((h) => ApiHeader({ name: h.name, description: h.description, required: false })),
    ...(doc.body ? [JsonBody(), ApiBody({ required: true, schema: schemaRef(doc.body.name, doc.body.schema) })] : []),
    ...doc.responses.map((r) =>
      ApiResponse({ status: r.status, description: r.description, schema: r.schema && r.name ? schemaRef(r.name, r.schema) : undefined }),
    ),
    ...errorResponses([
      ...COMMON_ERRORS,
      ErrorCode.InsufficientPermissions,
      ...(doc.body ? [ErrorCode.PayloadTooLarge, ErrorCode.UnsupportedMediaType] : []),
      ...(doc.errors ?? []),
    ]),
  );
};

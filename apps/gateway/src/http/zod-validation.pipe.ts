import { Body, type ExecutionContext, Param, type PipeTransform, Query, createParamDecorator } from '@nestjs/common';
import type { Request } from 'express';
import type { z } from 'zod';
import { ErrorCode, Id, errorCodeOfIssues, findInvalidText } from '@flightdeck/contracts';
import { ApiException } from './api.exception';
import { describeInputIssues } from './input-issues';

// Parses a body, query, header or path parameter with a schema from libs/contracts: the same
// schema the owning service checks, so there is nothing to keep in step.
export class ZodValidationPipe<S extends z.ZodTypeAny> implements PipeTransform<unknown, z.infer<S>> {
  constructor(
    private readonly schema: S,
    private readonly opts: { label?: string; absentAs?: unknown; textCheckedLater?: boolean } = {},
  ) {}

  transform(value: unknown): z.infer<S> {
    const parsed = this.schema.safeParse(value === undefined ? this.opts.absentAs : value);
    if (parsed.success) {
      // after the schema, so that a field with its own rule about such characters says it first
      const invalid = this.opts.textCheckedLater ? undefined : findInvalidText(parsed.data, this.opts.label ? [this.opts.label] : []);
      if (invalid) throw new ApiException(ErrorCode.InvalidInput, `${invalid.path}: ${invalid.message}`, { fields: [invalid] });
      return parsed.data;
    }
    const { message, fields } = describeInputIssues(parsed.error, this.opts.label);
    throw new ApiException(errorCodeOfIssues(parsed.error), message, { fields });
  }
}

// A request without a JSON body reads as {}, so the error names the missing fields. `textCheckedLater`:
// the route checks the parsed body again with a schema whose own rule on control characters says more.
export const ValidBody = (schema: z.ZodTypeAny, opts: { textCheckedLater?: boolean } = {}) =>
  Body(new ZodValidationPipe(schema, { absentAs: {}, ...opts }));
export const ValidQuery = (schema: z.ZodTypeAny) => Query(new ZodValidationPipe(schema));
export const ValidParam = (name: string, schema: z.ZodTypeAny) => Param(name, new ZodValidationPipe(schema, { label: name }));
export const IdParam = (name: string) => ValidParam(name, Id);
// Nest's own @Headers() takes no pipes.
const RequestHeader = createParamDecorator((name: string, ctx: ExecutionContext) => ctx.switchToHttp().getRequest<Request>().headers[name]);
export const ValidHeader = (name: string, schema: z.ZodTypeAny) => RequestHeader(name.toLowerCase(), new ZodValidationPipe(schema, { label: name }));

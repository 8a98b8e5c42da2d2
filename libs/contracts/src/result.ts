import { z } from 'zod';
import { ALL_ERROR_CODES, ErrorCode } from './errors/error-codes';

export const ErrorBodySchema = z.object({
  code: z.enum(Object.values(ErrorCode) as [ErrorCode, ...ErrorCode[]]),
  message: z.string(),
  details: z.unknown().optional(),
});
export type ErrorBody = z.infer<typeof ErrorBodySchema>;

export type Result<T> = { ok: true; data: T } | { ok: false; error: ErrorBody };

export const ok = <T>(data: T): Result<T> => ({ ok: true, data });
export const err = <T = never>(code: ErrorCode, message: string, details?: unknown): Result<T> => ({
  ok: false,
  error: details === undefined ? { code, message } : { code, message, details },
});

export const resultSchema = <T extends z.ZodTypeAny>(data: T) =>
  z.discriminatedUnion('ok', [
    z.object({ ok: z.literal(true), data }),
    z.object({ ok: z.literal(false), error: ErrorBodySchema }),
  ]);

// Zod issues rendered as "field.path: message" so an error names the field.
export const describeIssues = (error: z.ZodError): { message: string; fields: { path: string; message: string }[] } => {
  const fields = error.issues.map((i) => ({ path: i.path.join('.') || '(root)', message: i.message }));
  return { message: fields.map((f) => `${f.path}: ${f.message}`).join('; '), fields };
};

// A refinement whose failure has a code of its own (say variable/invalid-value) carries it in its
// params; any other issue, or issues disagreeing, make the input plainly invalid.
export const issueParams = (errorCode: ErrorCode) => ({ errorCode });

export const errorCodeOfIssues = (error: z.ZodError): ErrorCode => {
  const codes = new Set(error.issues.map((i) => (i.code === 'custom' ? (i.params as { errorCode?: ErrorCode } | undefined)?.errorCode : undefined)));
  const [only] = codes;
  return codes.size === 1 && only && ALL_ERROR_CODES.includes(only) ? only : ErrorCode.InvalidInput;
};

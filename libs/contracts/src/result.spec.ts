import { z } from 'zod';
import { ErrorCode } from './errors/error-codes';
import { describeIssues, err, ok, resultSchema } from './result';

const Greeting = resultSchema(z.object({ greeting: z.string() }));

describe('result envelope', () => {
  it('builds ok and err in the documented shapes', () => {
    expect(ok({ greeting: 'hi' })).toEqual({ ok: true, data: { greeting: 'hi' } });
    expect(err(ErrorCode.ProjectNotFound, 'no project p1')).toEqual({
      ok: false,
      error: { code: 'project/not-found', message: 'no project p1' },
    });
    expect(err(ErrorCode.InvalidInput, 'bad', { fields: [] })).toEqual({
      ok: false,
      error: { code: 'validation/invalid-input', message: 'bad', details: { fields: [] } },
    });
  });

  it('parses what ok and err build', () => {
    expect(Greeting.parse(ok({ greeting: 'hi' }))).toEqual({ ok: true, data: { greeting: 'hi' } });
    expect(Greeting.parse(err(ErrorCode.ServiceUnavailable, 'down', { retryInMs: 5 }))).toEqual({
      ok: false,
      error: { code: 'service/unavailable', message: 'down', details: { retryInMs: 5 } },
    });
  });

  it('rejects data that breaks the schema, unknown error codes and half-shapes', () => {
    expect(Greeting.safeParse({ ok: true, data: { greeting: 42 } }).success).toBe(false);
    expect(Greeting.safeParse({ ok: false, error: { code: 'made/up', message: 'x' } }).success).toBe(false);
    expect(Greeting.safeParse({ ok: false, error: { code: 'service/unavailable' } }).success).toBe(false);
    expect(Greeting.safeParse({ ok: true }).success).toBe(false);
    expect(Greeting.safeParse({ data: { greeting: 'hi' } }).success).toBe(false);
  });

  it('names the failing field in a validation message', () => {
    const parsed = z.object({ spec: z.object({ name: z.string() }) }).safeParse({ spec: { name: 1 } });
    expect(parsed.success).toBe(false);
    const { message, fields } = describeIssues(parsed.error!);
    expect(fields).toEqual([{ path: 'spec.name', message: expect.any(String) }]);
    expect(message).toMatch(/^spec\.name: /);
  });
});

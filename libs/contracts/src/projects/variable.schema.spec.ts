import { randomUUID } from 'node:crypto';
import { ErrorCode } from '../errors/error-codes';
import { describeIssues, errorCodeOfIssues } from '../result';
import { SetVariableBody, SetVariableRequest, forbiddenCharacterIn } from './variable.schema';

const aSetRequest = (over: Record<string, unknown> = {}) => ({ environmentId: randomUUID(), key: 'API_KEY', value: 'x', sensitive: true, ...over });

const CONTROL_CHARACTERS = [...Array.from({ length: 0x20 }, (_, c) => c), 0x7f]
  .filter((c) => ![0x09, 0x0a, 0x0d].includes(c))
  .map((c) => String.fromCharCode(c));

describe('variable values', () => {
  it('allows tab, line feed and carriage return: PEM keys and multi-line values', () => {
    const pem = '-----BEGIN KEY-----\r\nMIIB\tOgIB\n-----END KEY-----\n';
    expect(SetVariableRequest.safeParse(aSetRequest({ value: pem })).success).toBe(true);
    expect(SetVariableRequest.safeParse(aSetRequest({ value: 'päss wörd ✓ 日本' })).success).toBe(true);
  });

  it.each(CONTROL_CHARACTERS.map((c) => [`U+${c.charCodeAt(0).toString(16).padStart(4, '0').toUpperCase()}`, c]))(
    'refuses %s with variable/invalid-value, naming the key and not the value',
    (codePoint, c) => {
      const parsed = SetVariableRequest.safeParse(aSetRequest({ value: `s3cret${c}tail` }));
      expect(parsed.success).toBe(false);
      expect(errorCodeOfIssues(parsed.error!)).toBe(ErrorCode.VariableInvalidValue);
      const { message, fields } = describeIssues(parsed.error!);
      expect(fields).toEqual([{ path: 'value', message: expect.stringContaining('API_KEY') }]);
      expect(message).toContain(`found ${codePoint} at character 7`);
      expect(message).not.toContain('s3cret');
    },
  );

  it('names the first forbidden character by code point and position', () => {
    expect(forbiddenCharacterIn('ab\u0000c\u001b')).toEqual({ codePoint: 'U+0000', position: 3 });
    expect(forbiddenCharacterIn('line\nline\r\n\ttab')).toBeUndefined();
  });

  it('leaves other problems as plain invalid input', () => {
    const parsed = SetVariableRequest.safeParse(aSetRequest({ value: 'x\u0000', colour: 'red' }));
    expect(errorCodeOfIssues(parsed.error!)).toBe(ErrorCode.InvalidInput);
    expect(describeIssues(parsed.error!).fields.map((f) => f.path).sort()).toEqual(['(root)', 'value']);
    const tooLong = SetVariableRequest.safeParse(aSetRequest({ value: 'x'.repeat(64 * 1024 + 1) }));
    expect(errorCodeOfIssues(tooLong.error!)).toBe(ErrorCode.InvalidInput);
  });

  it('does not repeat a malformed key in the refusal of its value', () => {
    const parsed = SetVariableRequest.safeParse(aSetRequest({ key: 'BAD\u0000KEY', value: 'x\u0000' }));
    const { fields } = describeIssues(parsed.error!);
    expect(fields.map((f) => f.path).sort()).toEqual(['key', 'value']);
    expect(fields.find((f) => f.path === 'value')!.message).toMatch(/^a variable may not hold/);
  });

  it('keeps the HTTP body to value and sensitive, strict', () => {
    expect(SetVariableBody.parse({ value: 'v' })).toEqual({ value: 'v', sensitive: false });
    expect(SetVariableBody.safeParse({ value: 'v', key: 'K' }).success).toBe(false);
  });
});

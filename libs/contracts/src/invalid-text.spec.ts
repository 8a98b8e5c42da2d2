import { findInvalidText } from './invalid-text';

describe('findInvalidText', () => {
  it('accepts ordinary text, emoji (a surrogate pair) and non-string values', () => {
    expect(findInvalidText({ name: 'shop', note: 'déployé 🚀', n: 3, ok: true, list: ['a', null] })).toBeUndefined();
  });

  it('names the field holding a NUL character, at any depth', () => {
    expect(findInvalidText({ a: { b: ['x', 'y\u0000z'] } })).toEqual({ path: 'a.b.1', message: expect.stringMatching(/NUL/) });
    expect(findInvalidText('\u0000')).toEqual({ path: '(body)', message: expect.stringMatching(/NUL/) });
  });

  it('names an unpaired surrogate, high or low', () => {
    expect(findInvalidText({ message: 'a\uD800b' })).toEqual({ path: 'message', message: expect.stringMatching(/surrogate/) });
    expect(findInvalidText({ message: '\uDC00' })?.path).toBe('message');
  });

  it('checks field names too', () => {
    expect(findInvalidText({ 'k\u0000': 'v' })?.message).toMatch(/^field name .*NUL/);
  });
});

import { PIECE } from './base64-pieces';
import { SecretMasker } from './secret-masker';
import { base64Cores } from './secret-forms';

const SECRET = 's3cr3t-P@ss/word+=?&:"\\';

const b64 = (v: string) => Buffer.from(v).toString('base64');
const b64url = (v: string) => Buffer.from(v).toString('base64url');
const hex4 = (c: string) => c.charCodeAt(0).toString(16).padStart(4, '0');
// every UTF-16 unit as \uXXXX, as some encoders and obfuscators write strings
const allEscaped = (v: string, upper = false) => [...v.split('')].map((c) => `\\u${upper ? hex4(c).toUpperCase() : hex4(c)}`).join('');
// Python's json.dumps (ensure_ascii): JSON escapes, and every non-ASCII unit as \uXXXX
const asciiJson = (v: string) => JSON.stringify(v).slice(1, -1).replace(/[\u007f-\uffff]/g, (c) => `\\u${hex4(c)}`);
// PHP's json_encode: also every "/" as "\/"
const phpJson = (v: string) => asciiJson(v).replace(/\//g, '\\/');
const wrap = (text: string, width: number) => text.match(new RegExp(`.{1,${width}}`, 'g'))!;

// The visible parts of a masked line that still carry PIECE or more characters of the secret's
// base64: what wrapped base64 must never leave behind.
const base64Leaks = (secret: string) => {
  const grams = new Set<string>();
  for (const core of base64Cores(secret)) for (let o = 0; o + PIECE <= core.length; o++) grams.add(core.slice(o, o + PIECE));
  return (masked: string) =>
    masked.split('***').flatMap((part) => Array.from({ length: Math.max(part.length - PIECE + 1, 0) }, (_, o) => part.slice(o, o + PIECE)).filter((g) => grams.has(g)));
};

describe('secret masker', () => {
  const masker = new SecretMasker([SECRET]);

  it.each([
    ['plain', SECRET],
    ['standard base64', b64(SECRET)],
    ['standard base64 without padding', b64(SECRET).replace(/=+$/, '')],
    ['url-safe base64', b64url(SECRET)],
    ['encodeURIComponent', encodeURIComponent(SECRET)],
    ['lower-case percent escapes', encodeURIComponent(SECRET).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase())],
    ['form encoding', new URLSearchParams({ v: SECRET }).toString().slice(2)],
    ['JSON-escaped', JSON.stringify(SECRET).slice(1, -1)],
  ])('masks the %s form inside a line', (_name, form) => {
    const line = `before ${form} after`;
    expect(masker.mask(line)).toBe('before *** after');
  });

  describe('base64 wrapped across lines', () => {
    const LONG = 'sk_live_0123456789abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJKLMNOPQRSTUVWXYZ/+=!pässwörd-日本-0123456789-the-end';
    const long = new SecretMasker([LONG]);
    const leaks = base64Leaks(LONG);

    // what comes before the secret decides both its base64 offset and the column its encoding starts at
    it.each([76, 64])('masks every line of base64 wrapped at %i columns, whatever comes before the secret', (width) => {
      for (let before = 0; before < 2 * width; before++) {
        const encoded = b64(`${'p'.repeat(before)}${LONG}\n`);
        const lines = wrap(encoded, width).map((l) => long.mask(l));
        expect({ before, leaked: lines.flatMap(leaks) }).toEqual({ before, leaked: [] });
        expect(lines.join('')).toContain('***');
      }
    });

    it('masks the base64 command, PEM and MIME shapes: indented, CRLF, inside a JSON string', () => {
      const lines = wrap(b64(LONG), 76);
      const pem = ['-----BEGIN PRIVATE KEY-----', ...wrap(b64(LONG), 64), '-----END PRIVATE KEY-----'];
      expect(pem.map((l) => long.mask(l)).flatMap(leaks)).toEqual([]);
      expect(lines.map((l) => long.mask(`    ${l}\r`)).flatMap(leaks)).toEqual([]);
      expect(leaks(long.mask(JSON.stringify({ key: pem.join('\n') })))).toEqual([]);
      expect(long.mask(lines[1])).toBe('***');
    });

    it('leaves base64 of other values and ordinary words alone', () => {
      const other = wrap(b64('a completely different value that is long enough to wrap over two lines of base64 output'), 76);
      expect(other.map((l) => long.mask(l))).toEqual(other);
      expect(long.mask('installing dependencies from registry.npmjs.org')).toBe('installing dependencies from registry.npmjs.org');
    });
  });

  describe('JSON escapes', () => {
    it.each([
      ['every character \\u-escaped', allEscaped(SECRET)],
      ['every character \\u-escaped in upper case', allEscaped(SECRET, true)],
      ['non-ASCII \\u-escaped (json.dumps ensure_ascii)', asciiJson(SECRET)],
      ['slashes escaped (json_encode)', phpJson(SECRET)],
      ['JSON-escaped twice (JSON in a JSON string)', JSON.stringify(JSON.stringify(SECRET).slice(1, -1)).slice(1, -1)],
    ])('masks the %s form', (_name, form) => {
      expect(masker.mask(`before ${form} after`)).toBe('before *** after');
    });

    it('masks a non-ASCII secret as json.dumps writes it, astral characters as surrogate pairs', () => {
      const v = 'pässwörd-日本-🔑-end';
      const m = new SecretMasker([v]);
      expect(asciiJson(v)).toContain('\\ud83d\\udd11');
      expect(m.mask(`{"password": "${asciiJson(v)}"}`)).toBe('{"password": "***"}');
      expect(m.mask(`{"password": "${allEscaped(v)}"}`)).toBe('{"password": "***"}');
    });

    it('masks escapes mixed with plain characters, and base64 with its slashes escaped', () => {
      const v = 'tok/en<&>-secret/value';
      const m = new SecretMasker([v]);
      // Go's encoding/json writes <, > and & as \u003c, \u003e, \u0026
      expect(m.mask('"tok\\/en\\u003c\\u0026\\u003e-secret\\/value"')).toBe('"***"');
      const encoded = b64(`??>${v}??>`);
      expect(encoded).toContain('/');
      expect(base64Leaks(v)(m.mask(`"data":"${encoded.replace(/\//g, '\\/')}"`))).toEqual([]);
    });

    it('reads an escaped backslash as a backslash, not as the start of an escape', () => {
      const m = new SecretMasker(['ABCDEF']);
      expect(m.mask('\\\\u0041BCDEF')).toBe('\\\\u0041BCDEF');
      expect(m.mask('\\\\\\u0041BCDEF')).toBe('\\\\***');
    });
  });

  it('masks the value inside a JSON document and inside a URL', () => {
    const json = JSON.stringify({ db: { password: SECRET } });
    expect(masker.mask(json)).toBe('{"db":{"password":"***"}}');
    const url = `https://example.com/cb?token=${encodeURIComponent(SECRET)}&x=1`;
    expect(masker.mask(url)).toBe('https://example.com/cb?token=***&x=1');
  });

  it('masks every occurrence, not only the first', () => {
    expect(masker.mask(`${SECRET}|${SECRET}|${b64(SECRET)}`)).toBe('***|***|***');
  });

  it.each([0, 1, 2])('masks the secret inside a longer base64 string (offset %i)', (offset) => {
    const prefix = 'user:'.slice(0, 3 + offset);
    const suffix = '!tail';
    const encoded = b64(`${prefix}${SECRET}${suffix}`);
    const masked = masker.mask(`Basic ${encoded}`).slice('Basic '.length);
    const parts = masked.split('***');
    expect(parts).toHaveLength(2);
    // each visible side decodes to its own non-secret bytes plus at most one byte's worth of the secret
    const exposedBytes = (chars: number) => Math.floor((chars * 6) / 8);
    expect(exposedBytes(parts[0].length) - prefix.length).toBeLessThanOrEqual(1);
    expect(exposedBytes(parts[1].length) - suffix.length).toBeLessThanOrEqual(2);
  });

  it('masks each line of a multi-line value, and the whole value JSON-escaped', () => {
    const key = '-----BEGIN KEY-----\nMIIBOgIBAAJBAKj34GkxFhD9\n-----END KEY-----';
    const m = new SecretMasker([key]);
    expect(m.mask('MIIBOgIBAAJBAKj34GkxFhD9')).toBe('***');
    expect(m.mask('  -----END KEY-----')).toBe('  ***');
    expect(m.mask(`"key":"${JSON.stringify(key).slice(1, -1)}"`)).toBe('"key":"***"');
    expect(m.mask(b64(key))).toBe('***');
  });

  it('handles Windows line endings in a multi-line value', () => {
    const m = new SecretMasker(['first-line\r\nsecond-line']);
    expect(m.mask('x first-line y')).toBe('x *** y');
    expect(m.mask('second-line')).toBe('***');
  });

  it('merges overlapping matches of different secrets so no tail leaks', () => {
    const m = new SecretMasker(['abcdef', 'defghi']);
    expect(m.mask('xx abcdefghi yy')).toBe('xx *** yy');
  });

  it('prefers the longest form: a secret containing another is masked whole', () => {
    const m = new SecretMasker(['token', 'token-extended']);
    expect(m.mask('a token-extended b token c')).toBe('a *** b *** c');
  });

  it('masks secrets with regular-expression characters literally', () => {
    const m = new SecretMasker(['a.b*c+(d)']);
    expect(m.mask('a.b*c+(d) and axbbbc+(d)')).toBe('*** and axbbbc+(d)');
  });

  it('masks non-ASCII secrets in every form', () => {
    const v = 'pässwörd-日本';
    const m = new SecretMasker([v]);
    expect(m.mask(`${v} ${b64(v)} ${encodeURIComponent(v)} ${JSON.stringify(v).slice(1, -1)}`)).toBe('*** *** *** ***');
  });

  it('leaves values shorter than three characters alone instead of masking every character', () => {
    const m = new SecretMasker(['1', 'on', '']);
    expect(m.size).toBe(0);
    expect(m.mask('on 1 2 3')).toBe('on 1 2 3');
  });

  it('leaves lines without a secret untouched', () => {
    expect(masker.mask('npm run build')).toBe('npm run build');
    expect(SecretMasker.none().mask(SECRET)).toBe(SECRET);
    expect(masker.mask('')).toBe('');
  });

  it('never outputs any form of the secret for random surrounding text', () => {
    const forms = [SECRET, b64(SECRET), b64url(SECRET), encodeURIComponent(SECRET), JSON.stringify(SECRET).slice(1, -1)];
    for (let i = 0; i < 200; i++) {
      const pick = forms[i % forms.length];
      const noise = Math.random().toString(36).slice(2, 2 + (i % 7));
      const out = masker.mask(`${noise}${pick}${noise}${pick}`);
      for (const f of forms) expect(out).not.toContain(f);
    }
  });
});

import { SecretMasker } from './secret-masker';

const SECRET = 's3cr3t-P@ss/word+=?&:"\\';

const b64 = (v: string) => Buffer.from(v).toString('base64');
const b64url = (v: string) => Buffer.from(v).toString('base64url');

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

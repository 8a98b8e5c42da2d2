import { randomBytes, randomUUID } from 'node:crypto';
import { SecretBox, SecretDecryptionError, variableAad } from './secret-box';

describe('SecretBox', () => {
  const box = new SecretBox(randomBytes(32));
  const env = randomUUID();
  const aad = variableAad(env, 'API_TOKEN');
  const secret = 'hunter2-S3cr3t/välue+with=chars ✓';

  it('opens what it sealed', () => {
    expect(box.open(box.seal(secret, aad), aad)).toBe(secret);
    expect(box.open(box.seal('', aad), aad)).toBe('');
  });

  it('never stores the plaintext and uses a new 12-byte IV for every write', () => {
    const a = box.seal(secret, aad);
    const b = box.seal(secret, aad);
    expect(a.iv).toHaveLength(12);
    expect(a.authTag).toHaveLength(16);
    expect(a.iv.equals(b.iv)).toBe(false);
    expect(a.ciphertext.equals(b.ciphertext)).toBe(false);
    expect(a.ciphertext.toString('utf8')).not.toContain('hunter2');
  });

  it('refuses a ciphertext, tag or IV that was altered', () => {
    const sealed = box.seal(secret, aad);
    const flip = (b: Buffer) => {
      const c = Buffer.from(b);
      c[0] ^= 1;
      return c;
    };
    expect(() => box.open({ ...sealed, ciphertext: flip(sealed.ciphertext) }, aad)).toThrow(SecretDecryptionError);
    expect(() => box.open({ ...sealed, authTag: flip(sealed.authTag) }, aad)).toThrow(SecretDecryptionError);
    expect(() => box.open({ ...sealed, iv: flip(sealed.iv) }, aad)).toThrow(SecretDecryptionError);
    expect(() => box.open({ ...sealed, authTag: sealed.authTag.subarray(0, 4) }, aad)).toThrow(SecretDecryptionError);
  });

  it('refuses a ciphertext moved to another environment or key', () => {
    const sealed = box.seal(secret, aad);
    expect(() => box.open(sealed, variableAad(randomUUID(), 'API_TOKEN'))).toThrow(SecretDecryptionError);
    expect(() => box.open(sealed, variableAad(env, 'OTHER_KEY'))).toThrow(SecretDecryptionError);
  });

  it('refuses to open with another key, without saying anything about the value', () => {
    const sealed = box.seal(secret, aad);
    const other = new SecretBox(randomBytes(32));
    expect(() => other.open(sealed, aad)).toThrow(SecretDecryptionError);
    try {
      other.open(sealed, aad);
    } catch (e) {
      expect((e as Error).message).not.toContain('hunter2');
    }
  });

  it('accepts only a 32-byte key', () => {
    expect(() => new SecretBox(randomBytes(16))).toThrow(/32 bytes/);
    expect(SecretBox.fromBase64(randomBytes(32).toString('base64'))).toBeInstanceOf(SecretBox);
  });
});

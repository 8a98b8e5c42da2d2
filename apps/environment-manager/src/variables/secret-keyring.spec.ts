import { randomBytes } from 'node:crypto';
import { SecretDecryptionError } from './secret-box';
import { SecretKeyUnavailableError, SecretKeyring, secretKeyId } from './secret-keyring';

describe('SecretKeyring', () => {
  const oldKey = randomBytes(32);
  const newKey = randomBytes(32);
  const aad = 'env:API_TOKEN';

  it('seals with the current key and records its id, a digest that does not show the key', () => {
    const ring = new SecretKeyring(newKey, [oldKey]);
    const sealed = ring.seal('s3cret', aad);
    expect(sealed.keyId).toBe(secretKeyId(newKey));
    expect(sealed.keyId).toMatch(/^[0-9a-f]{16}$/);
    expect(newKey.toString('hex')).not.toContain(sealed.keyId);
    expect(ring.open(sealed, aad)).toEqual({ value: 's3cret', keyId: secretKeyId(newKey) });
  });

  it('opens what an older key sealed while that key is in the ring, and names the key once it is gone', () => {
    const sealed = new SecretKeyring(oldKey).seal('s3cret', aad);
    expect(new SecretKeyring(newKey, [oldKey]).open(sealed, aad).value).toBe('s3cret');
    expect(() => new SecretKeyring(newKey).open(sealed, aad)).toThrow(SecretKeyUnavailableError);
    expect(() => new SecretKeyring(newKey).open(sealed, aad)).toThrow(new RegExp(secretKeyId(oldKey)));
  });

  it('tries every key for a value sealed before key ids, and refuses one that none opens', () => {
    const sealed = { ...new SecretKeyring(oldKey).seal('s3cret', aad), keyId: null };
    expect(new SecretKeyring(newKey, [oldKey]).open(sealed, aad)).toEqual({ value: 's3cret', keyId: secretKeyId(oldKey) });
    expect(() => new SecretKeyring(newKey).open(sealed, aad)).toThrow(SecretDecryptionError);
  });
});

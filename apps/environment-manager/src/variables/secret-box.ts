import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface SealedValue {
  ciphertext: Buffer;
  iv: Buffer;
  authTag: Buffer;
}

// Where a sealed value belongs: bound into the tag as associated data, so a ciphertext copied to
// another environment or key does not decrypt there.
export const variableAad = (environmentId: string, key: string) => `${environmentId}:${key}`;

export class SecretDecryptionError extends Error {
  constructor() {
    super('a sensitive value could not be decrypted: wrong key, or the stored value was altered or moved');
  }
}

// AES-256-GCM with a fresh random IV for every write; the tag authenticates value and AAD.
export class SecretBox {
  private readonly key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new Error('the secret key must be 32 bytes');
    this.key = Buffer.from(key);
  }

  static fromBase64(key: string): SecretBox {
    return new SecretBox(Buffer.from(key, 'base64'));
  }

  seal(plaintext: string, aad: string): SealedValue {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(aad, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return { ciphertext, iv, authTag: cipher.getAuthTag() };
  }

  open(sealed: SealedValue, aad: string): string {
    if (sealed.iv.length !== IV_BYTES || sealed.authTag.length !== TAG_BYTES) throw new SecretDecryptionError();
    try {
      const decipher = createDecipheriv(ALGORITHM, this.key, sealed.iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(aad, 'utf8'));
      decipher.setAuthTag(sealed.authTag);
      return Buffer.concat([decipher.update(sealed.ciphertext), decipher.final()]).toString('utf8');
    } catch {
      // node's own message says nothing useful, and nothing about the value may leak
      throw new SecretDecryptionError();
    }
  }
}

import { createHash } from 'node:crypto';
import { SecretBox, SecretDecryptionError, type SealedValue } from './secret-box';

export interface KeyedSealedValue extends SealedValue {
  /** the id of the key that sealed it; null for values sealed before key ids were recorded */
  keyId: string | null;
}

// A key's id: a digest of the key, so it names the key without revealing it and needs no
// configuration of its own (the same key has the same id on every replica and every run).
export const secretKeyId = (key: Buffer) => createHash('sha256').update('flightdeck secret key id\0').update(key).digest('hex').slice(0, 16);

export class SecretKeyUnavailableError extends Error {
  constructor(readonly keyId: string) {
    super(`a sensitive value is sealed with key ${keyId}, which is in neither FLIGHTDECK_SECRET_KEY nor FLIGHTDECK_PREVIOUS_SECRET_KEYS`);
  }
}

// The current key seals every write; older keys only open what they sealed, until rotation has
// re-sealed it under the current one and the operator removes them.
export class SecretKeyring {
  readonly currentId: string;
  private readonly boxes = new Map<string, SecretBox>();

  constructor(current: Buffer, previous: readonly Buffer[] = []) {
    this.currentId = secretKeyId(current);
    this.boxes.set(this.currentId, new SecretBox(current));
    for (const key of previous) {
      const id = secretKeyId(key);
      if (!this.boxes.has(id)) this.boxes.set(id, new SecretBox(key));
    }
  }

  static fromBase64(current: string, previous: readonly string[] = []): SecretKeyring {
    return new SecretKeyring(
      Buffer.from(current, 'base64'),
      previous.map((k) => Buffer.from(k, 'base64')),
    );
  }

  get keyIds(): string[] {
    return [...this.boxes.keys()];
  }

  has(keyId: string): boolean {
    return this.boxes.has(keyId);
  }

  seal(plaintext: string, aad: string): KeyedSealedValue {
    return { ...this.boxes.get(this.currentId)!.seal(plaintext, aad), keyId: this.currentId };
  }

  // A recorded key id picks its key; a value without one is tried with each key, current first.
  // Throws SecretKeyUnavailableError (key not configured) or SecretDecryptionError (wrong key, altered value).
  open(sealed: KeyedSealedValue, aad: string): { value: string; keyId: string } {
    if (sealed.keyId !== null) {
      const box = this.boxes.get(sealed.keyId);
      if (!box) throw new SecretKeyUnavailableError(sealed.keyId);
      return { value: box.open(sealed, aad), keyId: sealed.keyId };
    }
    for (const [keyId, box] of this.boxes) {
      try {
        return { value: box.open(sealed, aad), keyId };
      } catch (e) {
        if (!(e instanceof SecretDecryptionError)) throw e;
      }
    }
    throw new SecretDecryptionError();
  }
}

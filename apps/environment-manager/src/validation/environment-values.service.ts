import { Injectable, Logger } from '@nestjs/common';
import { SecretBox, SecretDecryptionError, variableAad } from '../variables/secret-box';
import { VariablesRepository } from '../variables/variables.repository';

export interface StoredValue {
  value: string;
  sensitive: boolean;
}

// An environment's values in plaintext, for checking them inside this service: they go to the
// validators and no further (no reply, no log carries them). A value that does not decrypt is
// reported as such, by key.
@Injectable()
export class EnvironmentValues {
  private readonly logger = new Logger(EnvironmentValues.name);

  constructor(
    private readonly repo: VariablesRepository,
    private readonly box: SecretBox,
  ) {}

  async load(environmentId: string): Promise<{ values: Map<string, StoredValue>; undecryptable: string[] }> {
    const values = new Map<string, StoredValue>();
    const undecryptable: string[] = [];
    for (const row of await this.repo.list(environmentId)) {
      if (!row.sensitive) {
        values.set(row.key, { value: row.valuePlain ?? '', sensitive: false });
        continue;
      }
      try {
        const value = this.box.open(
          { ciphertext: row.ciphertext!, iv: row.iv!, authTag: row.authTag! },
          variableAad(row.environmentId, row.key),
        );
        values.set(row.key, { value, sensitive: true });
      } catch (e) {
        if (!(e instanceof SecretDecryptionError)) throw e;
        this.logger.error({ environmentId, key: row.key }, e.message);
        undecryptable.push(row.key);
      }
    }
    return { values, undecryptable };
  }
}

export const undecryptableMessage = (key: string) =>
  `${key} could not be decrypted to check it: was FLIGHTDECK_SECRET_KEY changed, or the stored value altered?`;

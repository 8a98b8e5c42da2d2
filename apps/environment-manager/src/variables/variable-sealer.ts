import { Injectable, Logger } from '@nestjs/common';
import { SecretDecryptionError, variableAad } from './secret-box';
import { SecretKeyUnavailableError, SecretKeyring } from './secret-keyring';

// Which level a stored variable belongs to: bound into its sealed value.
export type VariableOwner = { projectId: string } | { environmentId: string };

// An environment's values keep the AAD they always had (environmentId:key); a project's are
// marked as such, so a value cannot be moved between the two tables either.
export const ownerAad = (owner: VariableOwner, key: string) =>
  'projectId' in owner ? `project:${owner.projectId}:${key}` : variableAad(owner.environmentId, key);

// The tables holding sealed values, for the passes over all of them (start-up check, rotation).
export const SEALED_TABLES = [
  { table: 'environments.variables', ownerColumn: 'environment_id', owner: (id: string): VariableOwner => ({ environmentId: id }) },
  { table: 'environments.project_variables', ownerColumn: 'project_id', owner: (id: string): VariableOwner => ({ projectId: id }) },
  // a project's git webhook secret (key 'webhook-secret', which no variable key can be)
  { table: 'environments.project_webhook_secrets', ownerColumn: 'project_id', owner: (id: string): VariableOwner => ({ projectId: id }) },
  // outgoing hooks' signing secrets (key 'hook:<hookId>', which no variable key can be)
  { table: 'environments.hook_secrets', ownerColumn: 'project_id', owner: (id: string): VariableOwner => ({ projectId: id }) },
] as const;
export type SealedTable = (typeof SEALED_TABLES)[number];

export interface StoredColumns {
  sensitive: boolean;
  valuePlain: string | null;
  ciphertext: Buffer | null;
  iv: Buffer | null;
  authTag: Buffer | null;
  keyId: string | null;
}

// The one place that seals a variable's value for storage and opens it again: the resolve path
// (for the builder), validation, detection, export and rotation all read values through it.
@Injectable()
export class VariableSealer {
  private readonly logger = new Logger(VariableSealer.name);

  constructor(private readonly keyring: SecretKeyring) {}

  columns(owner: VariableOwner, key: string, value: string, sensitive: boolean): StoredColumns {
    if (!sensitive) return { sensitive, valuePlain: value, ciphertext: null, iv: null, authTag: null, keyId: null };
    const { ciphertext, iv, authTag, keyId } = this.keyring.seal(value, ownerAad(owner, key));
    return { sensitive, valuePlain: null, ciphertext, iv, authTag, keyId };
  }

  /** the plaintext; throws SecretDecryptionError or SecretKeyUnavailableError (messages name no value) */
  openOrThrow(owner: VariableOwner, key: string, row: StoredColumns): string {
    if (!row.sensitive) return row.valuePlain ?? '';
    return this.keyring.open({ ciphertext: row.ciphertext!, iv: row.iv!, authTag: row.authTag!, keyId: row.keyId }, ownerAad(owner, key)).value;
  }

  /** the plaintext, or undefined (logged by key) when no key of the keyring opens it */
  open(owner: VariableOwner, key: string, row: StoredColumns): string | undefined {
    try {
      return this.openOrThrow(owner, key, row);
    } catch (e) {
      if (!(e instanceof SecretDecryptionError) && !(e instanceof SecretKeyUnavailableError)) throw e;
      this.logger.error({ ...owner, key }, e.message);
      return undefined;
    }
  }
}

export const undecryptableMessage = (key: string) =>
  `${key} could not be decrypted: was FLIGHTDECK_SECRET_KEY changed without keeping the old key in FLIGHTDECK_PREVIOUS_SECRET_KEYS, or the stored value altered?`;

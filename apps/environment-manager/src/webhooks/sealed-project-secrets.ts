import type { DataSource } from 'typeorm';
import type { VariableSealer } from '../variables/variable-sealer';

/** a row of a table of sealed per-project secrets (project_webhook_secrets, hook_secrets) */
export interface SealedSecretRow {
  project_id: string;
  key: string;
  ciphertext: Buffer;
  iv: Buffer;
  auth_tag: Buffer;
  key_id: string | null;
  updated_at: Date;
}

export type SealedSecretsTable = 'environments.project_webhook_secrets' | 'environments.hook_secrets';

// One project's secrets by key, sealed with the keyring like sensitive variables (the key is part
// of what is authenticated): written, opened and deleted the same way for both tables.
export class SealedProjectSecrets {
  constructor(
    private readonly ds: DataSource,
    private readonly sealer: VariableSealer,
    private readonly table: SealedSecretsTable,
  ) {}

  async store(projectId: string, key: string, value: string): Promise<void> {
    const sealed = this.sealer.columns({ projectId }, key, value, true);
    await this.ds.query(
      `insert into ${this.table} (project_id, key, ciphertext, iv, auth_tag, key_id, updated_at)
       values ($1, $2, $3, $4, $5, $6, now())
       on conflict (project_id, key) do update
         set ciphertext = excluded.ciphertext, iv = excluded.iv, auth_tag = excluded.auth_tag, key_id = excluded.key_id, updated_at = now()`,
      [projectId, key, sealed.ciphertext, sealed.iv, sealed.authTag, sealed.keyId],
    );
  }

  async read(projectId: string, key: string): Promise<string | undefined> {
    const [row]: SealedSecretRow[] = await this.ds.query(`select * from ${this.table} where project_id = $1 and key = $2`, [projectId, key]);
    return row ? this.open(row) : undefined;
  }

  open(row: SealedSecretRow): string | undefined {
    return this.sealer.open({ projectId: row.project_id }, row.key, { sensitive: true, valuePlain: null, ciphertext: row.ciphertext, iv: row.iv, authTag: row.auth_tag, keyId: row.key_id });
  }

  async delete(projectId: string, key: string): Promise<void> {
    await this.ds.query(`delete from ${this.table} where project_id = $1 and key = $2`, [projectId, key]);
  }
}

import { Injectable, Logger } from '@nestjs/common';
import { ErrorCode, type RotateSecretKeyReport, type Result, err, ok } from '@flightdeck/contracts';
import { DataSource, type EntityManager } from 'typeorm';
import { SecretDecryptionError } from './secret-box';
import { SecretKeyUnavailableError, SecretKeyring } from './secret-keyring';
import { SEALED_TABLES, type SealedTable, VariableSealer } from './variable-sealer';

interface SealedRow {
  owner_id: string;
  key: string;
  ciphertext: Buffer;
  iv: Buffer;
  auth_tag: Buffer;
  key_id: string | null;
}

export class RotationStoppedError extends Error {}

// Re-seals every sensitive value under the keyring's current key, a batch at a time, each batch in
// its own short transaction that locks only its rows (SKIP LOCKED: two rotators, or a rotator and a
// writer, never wait on each other for long). Values are readable throughout: a row holds either
// its old sealing (its old key still in the keyring) or its new one. Interrupted, it is simply run
// again: what is left is exactly the rows not yet under the current key. updated_at is kept: the
// value did not change.
@Injectable()
export class KeyRotation {
  private readonly logger = new Logger(KeyRotation.name);

  constructor(
    private readonly ds: DataSource,
    private readonly keyring: SecretKeyring,
    private readonly sealer: VariableSealer,
  ) {}

  /** rows still sealed under another key (or none recorded) */
  async remaining(): Promise<number> {
    let n = 0;
    for (const t of SEALED_TABLES) {
      const [row] = await this.ds.query(`select count(*)::int as n from ${t.table} where sensitive and key_id is distinct from $1`, [this.keyring.currentId]);
      n += row.n as number;
    }
    return n;
  }

  /** one batch per table: how many values it re-sealed */
  async rotateBatch(batchSize: number): Promise<number> {
    let rotated = 0;
    for (const t of SEALED_TABLES) {
      rotated += await this.ds.transaction(async (tx) => {
        const rows: SealedRow[] = await tx.query(
          `select ${t.ownerColumn} as owner_id, key, ciphertext, iv, auth_tag, key_id from ${t.table}
            where sensitive and key_id is distinct from $1
            order by ${t.ownerColumn}, key limit $2 for update skip locked`,
          [this.keyring.currentId, batchSize],
        );
        for (const row of rows) await this.reseal(tx, t, row);
        return rows.length;
      });
    }
    return rotated;
  }

  async run(o: { batchSize?: number; budgetMs?: number }): Promise<Result<RotateSecretKeyReport>> {
    const { batchSize = 100, budgetMs = 10_000 } = o;
    const started = Date.now();
    let rotated = 0;
    try {
      for (;;) {
        const n = await this.rotateBatch(batchSize);
        rotated += n;
        if (n === 0 || Date.now() - started >= budgetMs) break;
      }
    } catch (e) {
      if (!(e instanceof RotationStoppedError)) throw e;
      return err(ErrorCode.SecretUndecryptable, `${e.message}; ${rotated} value(s) were re-sealed before it, the rest are unchanged`);
    }
    const remaining = await this.remaining();
    this.logger.log({ keyId: this.keyring.currentId, rotated, remaining }, 'secret key rotation pass');
    return ok({ keyId: this.keyring.currentId, rotated, remaining, done: remaining === 0 });
  }

  private async reseal(tx: EntityManager, t: SealedTable, row: SealedRow) {
    const owner = t.owner(row.owner_id);
    let value: string;
    try {
      value = this.sealer.openOrThrow(owner, row.key, {
        sensitive: true,
        valuePlain: null,
        ciphertext: row.ciphertext,
        iv: row.iv,
        authTag: row.auth_tag,
        keyId: row.key_id,
      });
    } catch (e) {
      if (!(e instanceof SecretDecryptionError) && !(e instanceof SecretKeyUnavailableError)) throw e;
      throw new RotationStoppedError(`${row.key} of ${t.ownerColumn === 'project_id' ? 'project' : 'environment'} ${row.owner_id} does not open: ${e.message}`);
    }
    const sealed = this.sealer.columns(owner, row.key, value, true);
    await tx.query(`update ${t.table} set ciphertext = $1, iv = $2, auth_tag = $3, key_id = $4 where ${t.ownerColumn} = $5 and key = $6`, [
      sealed.ciphertext,
      sealed.iv,
      sealed.authTag,
      sealed.keyId,
      row.owner_id,
      row.key,
    ]);
  }
}

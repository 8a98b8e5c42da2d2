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

  /**
   * One batch of one table, after `cursor` in primary-key order (keyset paging: each batch reads
   * its rows by index, however many are done). How many it re-sealed, and where the next begins
   * (undefined: the table is done for this pass).
   */
  async rotateBatch(t: SealedTable, batchSize: number, cursor?: { ownerId: string; key: string }) {
    return this.ds.transaction(async (tx) => {
      const rows: SealedRow[] = await tx.query(
        `select ${t.ownerColumn} as owner_id, key, ciphertext, iv, auth_tag, key_id from ${t.table}
          where sensitive and key_id is distinct from $1 ${cursor ? `and (${t.ownerColumn}, key) > ($3, $4)` : ''}
          order by ${t.ownerColumn}, key limit $2 for update skip locked`,
        cursor ? [this.keyring.currentId, batchSize, cursor.ownerId, cursor.key] : [this.keyring.currentId, batchSize],
      );
      await this.reseal(tx, t, rows);
      const last = rows.at(-1);
      return { rotated: rows.length, next: rows.length === batchSize && last ? { ownerId: last.owner_id, key: last.key } : undefined };
    });
  }

  // One pass: each table from its start, batch after batch, until done or the budget is spent.
  // Rows a writer held (SKIP LOCKED) are left for the next pass, which `remaining` counts.
  async run(o: { batchSize?: number; budgetMs?: number }): Promise<Result<RotateSecretKeyReport>> {
    const { batchSize = 100, budgetMs = 10_000 } = o;
    const started = Date.now();
    let rotated = 0;
    try {
      for (const t of SEALED_TABLES) {
        let cursor: { ownerId: string; key: string } | undefined;
        do {
          if (Date.now() - started >= budgetMs && rotated > 0) break;
          const batch = await this.rotateBatch(t, batchSize, cursor);
          rotated += batch.rotated;
          cursor = batch.next;
        } while (cursor);
      }
    } catch (e) {
      if (!(e instanceof RotationStoppedError)) throw e;
      return err(ErrorCode.SecretUndecryptable, `${e.message}; ${rotated} value(s) were re-sealed before it, the rest are unchanged`);
    }
    const remaining = await this.remaining();
    this.logger.log({ keyId: this.keyring.currentId, rotated, remaining }, 'secret key rotation pass');
    return ok({ keyId: this.keyring.currentId, rotated, remaining, done: remaining === 0 });
  }

  // Every row of the batch opened (any that does not stops the rotation, and its transaction rolls
  // back) and written back sealed under the current key in one statement.
  private async reseal(tx: EntityManager, t: SealedTable, rows: SealedRow[]) {
    if (!rows.length) return;
    const sealed = rows.map((row) => {
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
      return this.sealer.columns(owner, row.key, value, true);
    });
    await tx.query(
      `update ${t.table} as v set ciphertext = u.c, iv = u.i, auth_tag = u.a, key_id = $1
         from unnest($2::uuid[], $3::text[], $4::bytea[], $5::bytea[], $6::bytea[]) as u(o, k, c, i, a)
        where v.${t.ownerColumn} = u.o and v.key = u.k`,
      [
        this.keyring.currentId,
        rows.map((r) => r.owner_id),
        rows.map((r) => r.key),
        sealed.map((s) => s.ciphertext),
        sealed.map((s) => s.iv),
        sealed.map((s) => s.authTag),
      ],
    );
  }
}

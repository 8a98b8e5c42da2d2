import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { ConfigError } from '@flightdeck/runtime';
import { DataSource } from 'typeorm';
import { SecretDecryptionError } from './secret-box';
import { SecretKeyring } from './secret-keyring';
import { SEALED_TABLES, VariableSealer } from './variable-sealer';

// At start-up, before the service answers anything: every key that sealed a stored value must be in
// the keyring, and one value per key (and one sealed before key ids were recorded) must open.
// Otherwise the service stops with one message naming the setting, never a key or a value.
@Injectable()
export class SecretKeyCheck implements OnApplicationBootstrap {
  constructor(
    private readonly ds: DataSource,
    private readonly keyring: SecretKeyring,
    private readonly sealer: VariableSealer,
  ) {}

  async onApplicationBootstrap() {
    for (const t of SEALED_TABLES) {
      const samples: { owner_id: string; key: string; ciphertext: Buffer; iv: Buffer; auth_tag: Buffer; key_id: string | null; n: number }[] =
        await this.ds.query(
          `select distinct on (key_id) ${t.ownerColumn} as owner_id, key, ciphertext, iv, auth_tag, key_id,
                  count(*) over (partition by key_id)::int as n
             from ${t.table} where sensitive order by key_id, ${t.ownerColumn}, key`,
        );
      for (const s of samples) {
        if (s.key_id !== null && !this.keyring.has(s.key_id)) {
          throw new ConfigError(
            `invalid configuration: ${s.n} stored sensitive value(s) are sealed with key ${s.key_id}, which is neither FLIGHTDECK_SECRET_KEY (key ${this.keyring.currentId}) nor in FLIGHTDECK_PREVIOUS_SECRET_KEYS: put that key back (in FLIGHTDECK_PREVIOUS_SECRET_KEYS) and run \`npm run rotate-key\` before removing it`,
          );
        }
        try {
          this.sealer.openOrThrow(t.owner(s.owner_id), s.key, { sensitive: true, valuePlain: null, ciphertext: s.ciphertext, iv: s.iv, authTag: s.auth_tag, keyId: s.key_id });
        } catch (e) {
          if (!(e instanceof SecretDecryptionError)) throw e;
          throw new ConfigError(
            s.key_id === null
              ? `invalid configuration: stored sensitive values (${s.key} among them) do not decrypt with FLIGHTDECK_SECRET_KEY or any of FLIGHTDECK_PREVIOUS_SECRET_KEYS: the key they were sealed with is not configured`
              : `invalid configuration: the stored value of ${s.key}, sealed with key ${s.key_id}, does not decrypt with it: the stored value was altered`,
          );
        }
      }
    }
  }
}

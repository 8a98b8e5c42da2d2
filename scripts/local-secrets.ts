import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ServiceName } from '@flightdeck/contracts';
import { type NatsPasswords, completeNatsPasswords } from '@flightdeck/messaging';

// Generated once per data dir and kept there (mode 0600): the local stack's credentials.
export interface LocalSecrets {
  postgresPassword: string;
  servicePasswords: Partial<Record<ServiceName, string>>;
  /** each NATS user's password (the services' and admin's): the local nats-server's config has their hashes */
  natsPasswords: NatsPasswords;
  secretKey: string;
}

const token = (bytes = 24) => randomBytes(bytes).toString('base64url');

export function loadLocalSecrets(dataDir: string): LocalSecrets {
  // private when new; an operator's existing dir keeps its mode. As root, Postgres runs as its own
  // user: when that user cannot enter the data dir, startPostgres puts the cluster where it can.
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = join(dataDir, 'secrets.json');
  const existing: Partial<LocalSecrets> = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  const secrets: LocalSecrets = {
    postgresPassword: existing.postgresPassword ?? token(),
    servicePasswords: existing.servicePasswords ?? {},
    natsPasswords: completeNatsPasswords(existing.natsPasswords),
    secretKey: existing.secretKey ?? randomBytes(32).toString('base64'),
  };
  saveLocalSecrets(dataDir, secrets);
  return secrets;
}

export function saveLocalSecrets(dataDir: string, secrets: LocalSecrets) {
  const file = join(dataDir, 'secrets.json');
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  // `mode` applies to a new file only: one from an older version is made private too
  chmodSync(file, 0o600);
}

// The admin token: FLIGHTDECK_ADMIN_TOKEN wins; else the one created on the first start.
export function adminToken(dataDir: string): { token: string; created: boolean } {
  if (process.env.FLIGHTDECK_ADMIN_TOKEN)
    return { token: process.env.FLIGHTDECK_ADMIN_TOKEN, created: false };
  const file = join(dataDir, 'admin-token');
  if (existsSync(file)) return { token: readFileSync(file, 'utf8').trim(), created: false };
  const created = `fdk_${token(32)}`;
  writeFileSync(file, `${created}\n`, { mode: 0o600 });
  return { token: created, created: true };
}

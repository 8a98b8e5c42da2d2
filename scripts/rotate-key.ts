// `npm run rotate-key`: re-encrypts every stored sensitive variable under environment-manager's
// current key (FLIGHTDECK_SECRET_KEY), through the running stack's admin API, pass after pass until
// nothing is left under an older key. Deployments keep running meanwhile; interrupted, run it again.
//
// Rotating a key: start environment-manager with the new key as FLIGHTDECK_SECRET_KEY and the old
// one in FLIGHTDECK_PREVIOUS_SECRET_KEYS, run this, then remove the old key and restart.
//
// Uses FLIGHTDECK_URL (default http://127.0.0.1:$FLIGHTDECK_GATEWAY_PORT or 3000) and
// FLIGHTDECK_TOKEN (default: the admin token `npm start` wrote to .data/admin-token).
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { RotateSecretKeyReport } from '@flightdeck/contracts';

const token = () => {
  const fromEnv = process.env.FLIGHTDECK_TOKEN ?? process.env.FLIGHTDECK_ADMIN_TOKEN;
  if (fromEnv) return fromEnv;
  const file = join(resolve(process.env.FLIGHTDECK_DATA_DIR ?? '.data'), 'admin-token');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  throw new Error('no token: set FLIGHTDECK_TOKEN to an admin token (or start the stack with `npm start`, which writes .data/admin-token)');
};

export async function rotateKey(baseUrl: string, adminToken: string, log: (line: string) => void = console.log): Promise<RotateSecretKeyReport> {
  let total = 0;
  for (;;) {
    const res = await fetch(`${baseUrl}/api/v1/system/rotate-key`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: '{}',
    });
    const body = (await res.json()) as RotateSecretKeyReport | { error: { code: string; message: string } };
    if (!res.ok || 'error' in body) {
      const e = 'error' in body ? body.error : { code: String(res.status), message: res.statusText };
      throw new Error(`rotation stopped after ${total} value(s): ${e.code}: ${e.message}`);
    }
    total += body.rotated;
    log(`re-encrypted ${body.rotated} value(s) under key ${body.keyId} (${total} in all), ${body.remaining} remaining`);
    if (body.done) return { ...body, rotated: total };
    // values were left under an older key although none was rotated: a writer is holding them; retry shortly
    if (body.rotated === 0) await new Promise((r) => setTimeout(r, 500));
  }
}

if (require.main === module) {
  const baseUrl = process.env.FLIGHTDECK_URL ?? `http://127.0.0.1:${process.env.FLIGHTDECK_GATEWAY_PORT ?? 3000}`;
  rotateKey(baseUrl, token()).then(
    (r) => {
      console.log(`done: every sensitive value is sealed with key ${r.keyId}; the previous keys can be removed from FLIGHTDECK_PREVIOUS_SECRET_KEYS`);
    },
    (e: Error) => {
      console.error(`rotate-key: ${e.message}`);
      process.exit(1);
    },
  );
}

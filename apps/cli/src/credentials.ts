import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { z } from 'zod';

export const DEFAULT_URL = 'http://127.0.0.1:3000';

const CredentialsFile = z.object({
  /** the gateway the last `login` was for: used when neither --url nor FLIGHTDECK_URL names one */
  current: z.string().optional(),
  gateways: z.record(z.object({ token: z.string(), savedAt: z.string() })).default({}),
});
type CredentialsFile = z.infer<typeof CredentialsFile>;

export type Env = Record<string, string | undefined>;

/** $XDG_CONFIG_HOME/flightdeck/credentials.json, else ~/.config/flightdeck/credentials.json */
export const credentialsPath = (env: Env = process.env) =>
  join(env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config'), 'flightdeck', 'credentials.json');

/** one spelling per gateway: no trailing slash, lower-case scheme and host */
export const normalizeUrl = (url: string) => {
  const u = new URL(url);
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(`not an http(s) URL: ${url}`);
  return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}`;
};

export class CredentialStore {
  constructor(readonly path: string) {}

  read(): CredentialsFile {
    if (!existsSync(this.path)) return { gateways: {} };
    const parsed = CredentialsFile.safeParse(JSON.parse(readFileSync(this.path, 'utf8')));
    if (!parsed.success) throw new Error(`${this.path} is not a flightdeck credentials file; remove it and log in again`);
    return parsed.data;
  }

  tokenFor(url: string): string | undefined {
    return this.read().gateways[normalizeUrl(url)]?.token;
  }

  /** written to a temp file of mode 0600 in a directory of mode 0700, then renamed over the old one */
  save(url: string, token: string): void {
    const file = this.read();
    const key = normalizeUrl(url);
    file.gateways[key] = { token, savedAt: new Date().toISOString() };
    file.current = key;
    this.write(file);
  }

  remove(url: string): boolean {
    const file = this.read();
    const key = normalizeUrl(url);
    if (!file.gateways[key]) return false;
    delete file.gateways[key];
    if (file.current === key) delete file.current;
    this.write(file);
    return true;
  }

  private write(file: CredentialsFile) {
    const dir = dirname(this.path);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    // a directory made earlier by someone else (or an older version) is closed too
    if ((statSync(dir).mode & 0o777) !== 0o700) chmodSync(dir, 0o700);
    const tmp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
    chmodSync(tmp, 0o600);
    renameSync(tmp, this.path);
  }
}

export interface Target {
  url: string;
  token?: string;
  /** where the token came from, said in `flightdeck login --status`-like messages and auth errors */
  tokenFrom?: 'env' | 'credentials' | 'admin-token-file';
}

// --url > FLIGHTDECK_URL > the last login's gateway > 127.0.0.1:3000 (FLIGHTDECK_GATEWAY_PORT);
// FLIGHTDECK_TOKEN > the stored token for that URL > .data/admin-token of `npm start` in this directory.
export function resolveTarget(opts: { url?: string }, env: Env, store: CredentialStore, cwd = process.cwd()): Target {
  const stored = store.read();
  const url = normalizeUrl(
    opts.url ?? env.FLIGHTDECK_URL ?? stored.current ?? (env.FLIGHTDECK_GATEWAY_PORT ? `http://127.0.0.1:${env.FLIGHTDECK_GATEWAY_PORT}` : DEFAULT_URL),
  );
  if (env.FLIGHTDECK_TOKEN) return { url, token: env.FLIGHTDECK_TOKEN, tokenFrom: 'env' };
  const token = stored.gateways[url]?.token;
  if (token) return { url, token, tokenFrom: 'credentials' };
  // what `npm run deploy` used before `login` existed: the stack's bootstrap token
  if (env.FLIGHTDECK_ADMIN_TOKEN) return { url, token: env.FLIGHTDECK_ADMIN_TOKEN, tokenFrom: 'env' };
  const adminFile = join(env.FLIGHTDECK_DATA_DIR ?? join(cwd, '.data'), 'admin-token');
  if (existsSync(adminFile)) return { url, token: readFileSync(adminFile, 'utf8').trim(), tokenFrom: 'admin-token-file' };
  return { url };
}

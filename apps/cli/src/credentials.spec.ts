import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CredentialStore, credentialsPath, normalizeUrl, resolveTarget } from './credentials';

describe('credentials', () => {
  let home: string;
  beforeEach(() => (home = mkdtempSync(join(tmpdir(), 'fd-cli-creds-'))));
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  const mode = (p: string) => statSync(p).mode & 0o777;

  it('live in $XDG_CONFIG_HOME/flightdeck, else ~/.config/flightdeck', () => {
    expect(credentialsPath({ HOME: home })).toBe(join(home, '.config', 'flightdeck', 'credentials.json'));
    expect(credentialsPath({ HOME: home, XDG_CONFIG_HOME: join(home, 'x') })).toBe(join(home, 'x', 'flightdeck', 'credentials.json'));
  });

  it('are saved per gateway URL in a 0600 file inside a 0700 directory', () => {
    const store = new CredentialStore(credentialsPath({ HOME: home }));
    store.save('http://127.0.0.1:3000/', 'fdt_one');
    store.save('https://Deploy.Example.com', 'fdt_two');
    expect(mode(store.path)).toBe(0o600);
    expect(mode(join(home, '.config', 'flightdeck'))).toBe(0o700);
    expect(store.tokenFor('http://127.0.0.1:3000')).toBe('fdt_one');
    expect(store.tokenFor('https://deploy.example.com/')).toBe('fdt_two');
    expect(JSON.parse(readFileSync(store.path, 'utf8')).current).toBe('https://deploy.example.com');
    expect(store.remove('https://deploy.example.com')).toBe(true);
    expect(store.tokenFor('https://deploy.example.com')).toBeUndefined();
    expect(mode(store.path)).toBe(0o600);
  });

  it('close a directory and replace a file someone left open', () => {
    const dir = join(home, '.config', 'flightdeck');
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    chmodSync(dir, 0o755);
    writeFileSync(join(dir, 'credentials.json'), '{"gateways":{}}', { mode: 0o644 });
    new CredentialStore(join(dir, 'credentials.json')).save('http://localhost:3000', 't');
    expect(mode(dir)).toBe(0o700);
    expect(mode(join(dir, 'credentials.json'))).toBe(0o600);
  });

  it('resolve URL and token: flags and env over the stored ones', () => {
    const store = new CredentialStore(credentialsPath({ HOME: home }));
    store.save('http://gw.example:8080', 'stored');
    expect(resolveTarget({}, {}, store, home)).toEqual({ url: 'http://gw.example:8080', token: 'stored', tokenFrom: 'credentials' });
    expect(resolveTarget({}, { FLIGHTDECK_TOKEN: 'env' }, store, home)).toMatchObject({ token: 'env', tokenFrom: 'env' });
    expect(resolveTarget({}, { FLIGHTDECK_URL: 'http://other:1' }, store, home)).toEqual({ url: 'http://other:1' });
    expect(resolveTarget({ url: 'http://gw.example:8080/' }, { FLIGHTDECK_URL: 'http://other:1' }, store, home).token).toBe('stored');
  });

  it('refuse a URL that is not http(s)', () => {
    expect(() => normalizeUrl('ftp://x')).toThrow('not an http(s) URL');
  });
});

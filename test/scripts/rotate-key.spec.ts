import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { rotateKey } from '../../scripts/rotate-key';

// `npm run rotate-key` against a stand-in for the gateway's POST /api/v1/system/rotate-key: it calls
// pass after pass until done, with the admin token, and stops on an error naming it.
describe('npm run rotate-key', () => {
  let server: Server;
  let url: string;
  let answers: { status: number; body: unknown }[] = [];
  const seen: { auth?: string; path?: string }[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push({ auth: req.headers.authorization, path: `${req.method} ${req.url}` });
      const a = answers.shift() ?? { status: 500, body: { error: { code: 'service/internal-error', message: 'unexpected call' } } };
      res.writeHead(a.status, { 'content-type': 'application/json' }).end(JSON.stringify(a.body));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((r) => server.close(r)));
  beforeEach(() => (seen.length = 0));

  it('calls pass after pass until nothing remains, and reports the total', async () => {
    answers = [
      { status: 200, body: { keyId: 'abcdef0123456789', rotated: 100, remaining: 150, done: false } },
      { status: 200, body: { keyId: 'abcdef0123456789', rotated: 150, remaining: 0, done: true } },
    ];
    const lines: string[] = [];
    const r = await rotateKey(url, 'admin-token-0123456789', (l) => lines.push(l));
    expect(r).toEqual({ keyId: 'abcdef0123456789', rotated: 250, remaining: 0, done: true });
    expect(seen).toEqual([
      { auth: 'Bearer admin-token-0123456789', path: 'POST /api/v1/system/rotate-key' },
      { auth: 'Bearer admin-token-0123456789', path: 'POST /api/v1/system/rotate-key' },
    ]);
    expect(lines).toEqual([
      're-encrypted 100 value(s) under key abcdef0123456789 (100 in all), 150 remaining',
      're-encrypted 150 value(s) under key abcdef0123456789 (250 in all), 0 remaining',
    ]);
  });

  it('stops on an error, naming its code and how far it got', async () => {
    answers = [
      { status: 200, body: { keyId: 'abcdef0123456789', rotated: 100, remaining: 1, done: false } },
      { status: 500, body: { error: { code: 'secret/undecryptable', message: 'SECRET_7 of environment e1 does not open' } } },
    ];
    await expect(rotateKey(url, 'admin-token-0123456789', () => undefined)).rejects.toThrow(
      'rotation stopped after 100 value(s): secret/undecryptable: SECRET_7 of environment e1 does not open',
    );
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { ExitCode } from './exit-codes';
import { run } from './program';

// the program with in-memory streams; no gateway: every case here fails before a request, or reaches none
async function cli(argv: string[], env: Record<string, string> = {}) {
  const home = mkdtempSync(join(tmpdir(), 'fd-cli-run-'));
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const stdin = Object.assign(new PassThrough(), { isTTY: false });
  stdin.end();
  let out = '';
  let err = '';
  stdout.on('data', (b) => (out += b));
  stderr.on('data', (b) => (err += b));
  try {
    const code = await run(argv, { streams: { stdout, stderr, stdin }, env: { HOME: home, ...env }, cwd: home });
    return { code, out, err };
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

describe('flightdeck arguments', () => {
  it('answers --help with the commands and exit codes, exit 0', async () => {
    const r = await cli(['--help']);
    expect(r.code).toBe(0);
    for (const c of ['login', 'projects', 'envs', 'vars', 'deploy', 'logs', 'ls', 'status', 'cancel', 'retry', 'rollback', 'tokens', 'members', 'approve', 'reject', 'pause', 'resume']) expect(r.out).toMatch(new RegExp(`^  ${c}\\b`, 'm'));
    expect(r.out).toContain('Exit codes:');
    expect(r.out).toMatch(/10 +deployment failed before release/);
  });

  it('exits with the usage code for an unknown command, option or a missing argument', async () => {
    expect((await cli(['bogus'])).code).toBe(ExitCode.Usage);
    expect((await cli(['ls', '--bogus'])).code).toBe(ExitCode.Usage);
    expect((await cli(['status'])).code).toBe(ExitCode.Usage);
    expect((await cli(['tokens', 'create', 'ci'])).code).toBe(ExitCode.Usage); // --scopes is required
  });

  it('checks values before asking the gateway', async () => {
    const env = { FLIGHTDECK_TOKEN: 't', FLIGHTDECK_URL: 'http://127.0.0.1:9' };
    const scopes = await cli(['tokens', 'create', 'ci', '--scopes', 'read,root'], env);
    expect(scopes.code).toBe(ExitCode.Usage);
    expect(scopes.err).toContain('not root');
    const limit = await cli(['ls', '--limit', 'many', '-p', 'x'], env);
    expect(limit.code).toBe(ExitCode.Usage);
    const assignment = await cli(['vars', 'set', 'NOVALUE', '-p', 'x'], env);
    expect(assignment.code).toBe(ExitCode.Usage);
    expect(assignment.err).toContain('expected KEY=VALUE');
    const nothing = await cli(['deploy'], env);
    expect(nothing.code).toBe(ExitCode.Usage);
  });

  it('never prompts when stdin is not a terminal: login without a token is a usage error', async () => {
    const r = await cli(['login', '--url', 'http://127.0.0.1:9']);
    expect(r.code).toBe(ExitCode.Usage);
    expect(r.err).toContain('stdin is not a terminal');
    expect(r.out).toBe('');
  });

  it('without a token: the auth code and how to log in', async () => {
    const r = await cli(['projects', 'ls', '--url', 'http://127.0.0.1:9']);
    expect(r.code).toBe(ExitCode.Auth);
    expect(r.err).toContain('flightdeck login');
  });

  it('an unreachable gateway: its own code, `error <code>: <message>`, no stack; --json prints a document that parses', async () => {
    const env = { FLIGHTDECK_TOKEN: 't', FLIGHTDECK_URL: 'http://127.0.0.1:9' };
    const r = await cli(['projects', 'ls'], env);
    expect(r.code).toBe(ExitCode.Unreachable);
    expect(r.err).toMatch(/^error service\/unavailable: cannot reach http:\/\/127\.0\.0\.1:9\//);
    expect(r.err).not.toMatch(/\n\s+at /);
    const j = await cli(['projects', 'ls', '--json'], env);
    expect(JSON.parse(j.out)).toMatchObject({ error: { code: 'service/unavailable' } });
  });
});

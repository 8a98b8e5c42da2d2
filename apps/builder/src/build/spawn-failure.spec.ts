import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnErrorForLog, spawnFailureMessage } from './spawn-failure';

// The error node hands to the 'error' event when the command cannot be started.
const spawnError = (command: string, opts: { cwd?: string } = {}) =>
  new Promise<Error>((resolve, reject) => {
    const child = spawn(command, [], { cwd: opts.cwd, stdio: 'ignore' });
    child.once('error', resolve);
    child.once('exit', () => reject(new Error(`${command} started`)));
  });

describe('spawn failures as users see them', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'fd-spawn-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('says a missing command was not found, naming it without its path or the raw error', async () => {
    const missing = join(dir, 'bin', 'no-such-tool');
    const e = await spawnError(missing);
    const message = spawnFailureMessage(missing, e);
    expect(message).toBe('could not start no-such-tool: the command was not found');
    expect(message).not.toContain(dir);
    expect(message).not.toMatch(/ENOENT|spawn/);
  });

  it('says permission denied for a file that is not executable', async () => {
    const script = join(dir, 'build.sh');
    writeFileSync(script, 'echo hi\n');
    chmodSync(script, 0o644);
    const e = await spawnError(script);
    expect(spawnFailureMessage(script, e)).toBe('could not start build.sh: permission denied');
  });

  it('names a NUL in the arguments or environment without quoting the value', () => {
    let thrown: unknown;
    try {
      spawn('true', [], { env: { TOKEN: 's3cret\u0000value' } });
    } catch (e) {
      thrown = e;
    }
    expect((thrown as Error).message).toContain('s3cret');
    expect(spawnFailureMessage('true', thrown)).toBe('could not start true: its arguments or environment hold a NUL character');
    expect(JSON.stringify(spawnErrorForLog(thrown))).not.toContain('s3cret');
    expect(spawnErrorForLog(thrown)).toEqual({ code: 'ERR_INVALID_ARG_VALUE' });
  });

  it('falls back to a bare "could not start" for anything else', () => {
    expect(spawnFailureMessage('npm', Object.assign(new Error('spawn /srv/x EWHATEVER'), { code: 'EWHATEVER' }))).toBe('could not start npm');
    expect(spawnFailureMessage('npm', new Error('/srv/secret/path'))).toBe('could not start npm');
    expect(spawnFailureMessage('', undefined)).toBe('could not start the command');
  });

  it('keeps the system error for the builder log', async () => {
    const e = await spawnError('no-such-tool-either');
    expect(spawnErrorForLog(e)).toEqual({ code: 'ENOENT', syscall: 'spawn no-such-tool-either', path: 'no-such-tool-either', message: 'spawn no-such-tool-either ENOENT' });
  });
});

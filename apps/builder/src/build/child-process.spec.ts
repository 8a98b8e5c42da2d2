import { runChildProcess } from './child-process';
import { spawnFailureMessage } from './spawn-failure';

const sink = () => ({ chunks: [] as string[], ended: false, write(c: Buffer | string) { this.chunks.push(String(c)); }, end() { this.ended = true; } });

describe('runChildProcess', () => {
  it('turns a NUL in a variable into a spawn error that does not quote the value', async () => {
    const [stdout, stderr] = [sink(), sink()];
    const exit = await runChildProcess({
      argv: ['true'],
      cwd: '/',
      env: { PATH: '/usr/bin:/bin', TOKEN: 'secret\0value' },
      stdout,
      stderr,
      signal: new AbortController().signal,
    });
    expect(exit.spawnError).toBeDefined();
    expect(stdout.ended && stderr.ended).toBe(true);
    const message = spawnFailureMessage('true', exit.spawnError);
    expect(message).toBe('could not start true: its arguments or environment hold a NUL character');
    expect(message).not.toContain('secret');
  });
});

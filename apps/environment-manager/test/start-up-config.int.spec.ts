import { randomBytes } from 'node:crypto';
import { spawnService } from '@flightdeck/testing';

jest.setTimeout(60_000);

// The real entry point, as `npm start` runs it: a bad key stops it before it touches anything.
const startWith = async (extra: Record<string, string>) => {
  const output: string[] = [];
  const svc = await spawnService(
    'environment-manager',
    { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: 'postgres://em:pw@127.0.0.1:1/flightdeck', ...extra },
    { onOutput: (line) => output.push(line) },
  );
  let timer: NodeJS.Timeout | undefined;
  const code = await Promise.race([svc.exited, new Promise<'running'>((r) => (timer = setTimeout(() => r('running'), 30_000)))]);
  clearTimeout(timer);
  await svc.stop(1_000);
  return { code, output: output.join('\n') };
};

describe('environment-manager start-up', () => {
  it('stops with one message naming FLIGHTDECK_SECRET_KEY when it is missing', async () => {
    const { code, output } = await startWith({});
    expect(code).toBe(1);
    expect(output).toMatch(/environment-manager: invalid configuration:\n\s+FLIGHTDECK_SECRET_KEY: is required/);
  });

  it('stops when the key is not 32 bytes, without printing the key', async () => {
    const short = randomBytes(16).toString('base64');
    const { code, output } = await startWith({ FLIGHTDECK_SECRET_KEY: short });
    expect(code).toBe(1);
    expect(output).toMatch(/FLIGHTDECK_SECRET_KEY: must be the base64 of exactly 32 random bytes/);
    expect(output).not.toContain(short);
  });
});

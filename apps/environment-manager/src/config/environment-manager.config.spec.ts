import { randomBytes } from 'node:crypto';
import { ConfigError } from '@flightdeck/runtime';
import { loadEnvironmentManagerConfig } from './environment-manager.config';

const base = { DATABASE_URL: 'postgres://em:pw@127.0.0.1:5432/flightdeck' };

describe('environment-manager configuration', () => {
  it('takes a base64 key of 32 bytes', () => {
    const key = randomBytes(32).toString('base64');
    expect(loadEnvironmentManagerConfig({ ...base, FLIGHTDECK_SECRET_KEY: key }).FLIGHTDECK_SECRET_KEY).toBe(key);
  });

  it('refuses to start without a key, naming the setting', () => {
    expect(() => loadEnvironmentManagerConfig(base)).toThrow(ConfigError);
    expect(() => loadEnvironmentManagerConfig(base)).toThrow(/FLIGHTDECK_SECRET_KEY: is required: must be the base64 of exactly 32/);
  });

  it.each([
    ['too short', randomBytes(16).toString('base64')],
    ['too long', randomBytes(33).toString('base64')],
    ['not base64', 'this is not a key at all, not even close!!!'],
    ['hex', randomBytes(32).toString('hex')],
    ['empty', ''],
  ])('refuses a malformed key (%s) without echoing it', (_why, key) => {
    let message = '';
    try {
      loadEnvironmentManagerConfig({ ...base, FLIGHTDECK_SECRET_KEY: key });
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      message = (e as Error).message;
    }
    expect(message).toMatch(/FLIGHTDECK_SECRET_KEY: must be the base64 of exactly 32 random bytes/);
    if (key) expect(message).not.toContain(key);
  });

  it('takes older keys for decryption only, comma-separated, and refuses a malformed one by position without echoing it', () => {
    const key = randomBytes(32).toString('base64');
    const [a, b] = [randomBytes(32).toString('base64'), randomBytes(32).toString('base64')];
    expect(loadEnvironmentManagerConfig({ ...base, FLIGHTDECK_SECRET_KEY: key }).FLIGHTDECK_PREVIOUS_SECRET_KEYS).toEqual([]);
    expect(loadEnvironmentManagerConfig({ ...base, FLIGHTDECK_SECRET_KEY: key, FLIGHTDECK_PREVIOUS_SECRET_KEYS: `${a}, ${b}` }).FLIGHTDECK_PREVIOUS_SECRET_KEYS).toEqual([a, b]);
    const bad = randomBytes(16).toString('base64');
    expect(() => loadEnvironmentManagerConfig({ ...base, FLIGHTDECK_SECRET_KEY: key, FLIGHTDECK_PREVIOUS_SECRET_KEYS: `${a},${bad}` })).toThrow(
      /FLIGHTDECK_PREVIOUS_SECRET_KEYS: key 2 of the list must be the base64 of exactly 32 random bytes/,
    );
    try {
      loadEnvironmentManagerConfig({ ...base, FLIGHTDECK_SECRET_KEY: key, FLIGHTDECK_PREVIOUS_SECRET_KEYS: bad });
    } catch (e) {
      expect((e as Error).message).not.toContain(bad);
    }
  });
});

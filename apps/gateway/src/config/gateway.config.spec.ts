import { ConfigError } from '@flightdeck/runtime';
import { loadGatewayConfig } from './gateway.config';

const env = (over: Record<string, string | undefined> = {}) => ({
  DATABASE_URL: 'postgres://gateway@127.0.0.1:5432/flightdeck',
  FLIGHTDECK_ADMIN_TOKEN: 'a-long-enough-admin-token',
  ...over,
});

describe('gateway configuration', () => {
  it('reads the admin token and the port, 3000 by default', () => {
    const config = loadGatewayConfig(env());
    expect(config.FLIGHTDECK_ADMIN_TOKEN).toBe('a-long-enough-admin-token');
    expect(config.FLIGHTDECK_GATEWAY_PORT).toBe(3000);
  });

  it('serves operations (health, metrics, docs) on another port, 3005 by default', () => {
    expect(loadGatewayConfig(env()).HTTP_PORT).toBe(3005);
    expect(loadGatewayConfig(env({ HTTP_PORT: '9100' })).HTTP_PORT).toBe(9100);
  });

  it('refuses private hook addresses unless allowed; takes only true or false for that', () => {
    const config = loadGatewayConfig(env());
    expect([config.FLIGHTDECK_HOOKS_ALLOW_PRIVATE, config.FLIGHTDECK_HOOKS_TIMEOUT_MS, config.FLIGHTDECK_HOOKS_RETRY_BASE_MS]).toEqual([false, 10_000, 10_000]);
    expect(loadGatewayConfig(env({ FLIGHTDECK_HOOKS_ALLOW_PRIVATE: 'true' })).FLIGHTDECK_HOOKS_ALLOW_PRIVATE).toBe(true);
    expect(() => loadGatewayConfig(env({ FLIGHTDECK_HOOKS_ALLOW_PRIVATE: 'yes' }))).toThrow(/FLIGHTDECK_HOOKS_ALLOW_PRIVATE/);
    expect(() => loadGatewayConfig(env({ FLIGHTDECK_HOOKS_TIMEOUT_MS: '0' }))).toThrow(/FLIGHTDECK_HOOKS_TIMEOUT_MS/);
  });

  it('refuses the operations port on the public port', () => {
    expect(() => loadGatewayConfig(env({ FLIGHTDECK_GATEWAY_PORT: '8080', HTTP_PORT: '8080' }))).toThrow(
      /HTTP_PORT: the operations port must differ from FLIGHTDECK_GATEWAY_PORT/,
    );
  });

  it('refuses to start without an admin token, naming the setting', () => {
    expect(() => loadGatewayConfig(env({ FLIGHTDECK_ADMIN_TOKEN: undefined }))).toThrow(
      /FLIGHTDECK_ADMIN_TOKEN: required/,
    );
  });

  it('refuses a short token without echoing it', () => {
    let error: unknown;
    try {
      loadGatewayConfig(env({ FLIGHTDECK_ADMIN_TOKEN: 'short-secret' }));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/FLIGHTDECK_ADMIN_TOKEN: must be at least 16 characters/);
    expect((error as Error).message).not.toContain('short-secret');
  });
});

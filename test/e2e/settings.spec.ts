import { SERVICE_NAMES, type ServiceName } from '@flightdeck/contracts';
import { forwardableSettings } from '../../scripts/service-settings';
import { type Launched, startLauncher } from '../support/launcher';

jest.setTimeout(300_000);

// A value unlike the default for every setting npm start forwards: a setting added to a schema
// without one here fails the first test, so none can be silently ignored again.
const NON_DEFAULT: Record<string, string> = {
  SERVICE_INSTANCE_ID: 'settings-test-instance',
  FLIGHTDECK_NATS_PUBLIC_URL: 'nats://nats.public.example:4222',
  FLIGHTDECK_DEPLOY_TIMEOUT_MS: '600000',
  FLIGHTDECK_CANCEL_GRACE_MS: '7000',
  FLIGHTDECK_SWEEP_INTERVAL_MS: '1500',
  FLIGHTDECK_BUILD_CONCURRENCY: '1',
  FLIGHTDECK_HEALTH_TIMEOUT_MS: '45000',
  LOG_INGEST_MAX_MESSAGES_PER_TX: '32',
  LOG_INGEST_MAX_LINES_PER_TX: '10000',
};
const ADMIN_TOKEN = 'fdk_settings-test-admin-token-0123456789';

describe('every documented setting works under npm start', () => {
  let stack: Launched;

  beforeAll(async () => {
    stack = await startLauncher({
      ...NON_DEFAULT,
      FLIGHTDECK_ADMIN_TOKEN: ADMIN_TOKEN,
      // misspelled: must be reported, not ignored
      FLIGHTDECK_BUILD_CONCURENCY: '5',
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const settingsOf = async (name: ServiceName): Promise<Record<string, unknown>> => {
    const url =
      name === 'gateway'
        ? `${stack.gatewayUrl}/api/v1/debug/settings`
        : `http://127.0.0.1:${stack.servicePorts[name]}/debug/settings`;
    const res = await fetch(url, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(res.status).toBe(200);
    return ((await res.json()) as { settings: Record<string, unknown> }).settings;
  };

  it('has a non-default value here for every setting a service takes from the operator', () => {
    const forwardable = new Set(SERVICE_NAMES.flatMap(forwardableSettings));
    expect([...forwardable].sort()).toEqual(Object.keys(NON_DEFAULT).sort());
  });

  it('hands each service every setting its schema declares, and each service runs with it', async () => {
    for (const name of SERVICE_NAMES) {
      const settings = await settingsOf(name);
      for (const key of forwardableSettings(name)) expect([name, key, String(settings[key])]).toEqual([name, key, NON_DEFAULT[key]]);
      // and the ones npm start owns: its log level, and secrets shown masked only
      expect(settings.LOG_LEVEL).toBe('warn');
      expect(JSON.stringify(settings)).not.toContain(ADMIN_TOKEN);
    }
    expect((await settingsOf('gateway')).FLIGHTDECK_ADMIN_TOKEN).toBe('***');
  });

  it('uses the operator admin token and warns about a misspelled setting by name', async () => {
    const res = await fetch(`${stack.gatewayUrl}/api/v1/projects`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(res.status).toBe(200);
    expect(stack.output.join('\n')).toMatch(/FLIGHTDECK_BUILD_CONCURENCY is not a setting.*did you mean FLIGHTDECK_BUILD_CONCURRENCY\?/);
  });

  it('refuses the settings endpoint of the gateway without the admin token', async () => {
    expect((await fetch(`${stack.gatewayUrl}/api/v1/debug/settings`)).status).toBe(401);
  });
});

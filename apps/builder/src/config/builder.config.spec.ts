import { loadBuilderConfig } from './builder.config';

const env = (over: Record<string, string | undefined> = {}) => ({
  DATABASE_URL: 'postgres://builder@127.0.0.1:5432/flightdeck',
  ...over,
});

describe('builder configuration', () => {
  it('passes no extra variable to builds by default', () => {
    expect(loadBuilderConfig(env()).FLIGHTDECK_BUILD_PASS_THROUGH).toEqual([]);
  });

  it("reads the operator's extra pass-through names", () => {
    const config = loadBuilderConfig(env({ FLIGHTDECK_BUILD_PASS_THROUGH: 'GIT_SSL_CAINFO, YARN_REGISTRY' }));
    expect(config.FLIGHTDECK_BUILD_PASS_THROUGH).toEqual(['GIT_SSL_CAINFO', 'YARN_REGISTRY']);
  });

  it('refuses to start when a platform credential or a builder setting is in the list, naming each', () => {
    const load = () => loadBuilderConfig(env({ FLIGHTDECK_BUILD_PASS_THROUGH: 'GIT_SSL_CAINFO,DATABASE_URL,NATS_PASSWORD,PGPASSWORD,HTTP_PORT' }));
    expect(load).toThrow(/FLIGHTDECK_BUILD_PASS_THROUGH: DATABASE_URL is/);
    expect(load).toThrow(/NATS_PASSWORD is/);
    expect(load).toThrow(/PGPASSWORD is/);
    expect(load).toThrow(/HTTP_PORT is a setting of the builder/);
    expect(load).not.toThrow(/GIT_SSL_CAINFO/);
  });
});

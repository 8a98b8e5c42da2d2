import {
  MACHINE_NETWORK_VARIABLES,
  assertPassThroughAllowed,
  networkEnvironment,
  parsePassThroughList,
  passThroughProblems,
} from './network-trust';

const BUILDER_SETTINGS = ['DATABASE_URL', 'NATS_URL', 'HTTP_PORT', 'LOG_LEVEL', 'FLIGHTDECK_DATA_DIR'];

describe("the machine's network trust for builds", () => {
  it('takes the CA bundle, proxy and registry settings of the machine, set ones only', () => {
    const env = networkEnvironment({
      NODE_EXTRA_CA_CERTS: '/etc/ssl/corp.pem',
      SSL_CERT_FILE: '/etc/ssl/certs/ca-certificates.crt',
      SSL_CERT_DIR: '/etc/ssl/certs',
      HTTPS_PROXY: 'http://proxy:3128',
      no_proxy: 'localhost,127.0.0.1',
      npm_config_registry: 'https://registry.example/',
      COREPACK_NPM_REGISTRY: 'https://registry.example/',
      HTTP_PROXY: '',
      PATH: '/usr/bin',
    });
    expect(env).toEqual({
      NODE_EXTRA_CA_CERTS: '/etc/ssl/corp.pem',
      SSL_CERT_FILE: '/etc/ssl/certs/ca-certificates.crt',
      SSL_CERT_DIR: '/etc/ssl/certs',
      HTTPS_PROXY: 'http://proxy:3128',
      no_proxy: 'localhost,127.0.0.1',
      npm_config_registry: 'https://registry.example/',
      COREPACK_NPM_REGISTRY: 'https://registry.example/',
    });
  });

  it('knows both spellings of the proxy and registry variables', () => {
    expect(MACHINE_NETWORK_VARIABLES).toEqual(
      expect.arrayContaining(['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'NO_PROXY', 'no_proxy', 'NPM_CONFIG_REGISTRY']),
    );
  });

  it("adds the operator's extra names, and never a platform credential", () => {
    const from = {
      GIT_SSL_CAINFO: '/etc/ssl/corp.pem',
      YARN_REGISTRY: 'https://registry.example/',
      DATABASE_URL: 'postgres://builder:secret@db/flightdeck',
      NATS_PASSWORD: 'secret',
      FLIGHTDECK_SECRET_KEY: 'secret',
      PGPASSWORD: 'secret',
      UNNAMED: 'not passed',
    };
    expect(networkEnvironment(from, ['GIT_SSL_CAINFO', 'YARN_REGISTRY', 'DATABASE_URL', 'NATS_PASSWORD', 'FLIGHTDECK_SECRET_KEY', 'PGPASSWORD'])).toEqual({
      GIT_SSL_CAINFO: '/etc/ssl/corp.pem',
      YARN_REGISTRY: 'https://registry.example/',
    });
  });
});

describe('FLIGHTDECK_BUILD_PASS_THROUGH', () => {
  it('is a comma-separated list of names, blanks ignored, each once', () => {
    expect(parsePassThroughList(' GIT_SSL_CAINFO, ,YARN_REGISTRY,GIT_SSL_CAINFO ')).toEqual(['GIT_SSL_CAINFO', 'YARN_REGISTRY']);
    expect(parsePassThroughList(undefined)).toEqual([]);
    expect(parsePassThroughList('')).toEqual([]);
  });

  it('accepts variables of the machine', () => {
    expect(passThroughProblems(['GIT_SSL_CAINFO', 'YARN_REGISTRY', 'pip_index_url'], BUILDER_SETTINGS)).toEqual([]);
  });

  it.each([
    ['DATABASE_URL', "the platform's database URL"],
    ['database_url', "the platform's database URL"],
    ['NATS_URL', 'a NATS setting'],
    ['NATS_PASSWORD', 'a NATS setting'],
    ['FLIGHTDECK_SECRET_KEY', 'a setting of the platform'],
    ['FLIGHTDECK_BUILD_PASS_THROUGH', 'a setting of the platform'],
    ['PGPASSWORD', 'a Postgres client setting'],
    ['PGHOST', 'a Postgres client setting'],
    ['HTTP_PORT', 'a setting of the builder'],
    ['LOG_LEVEL', 'a setting of the builder'],
  ])('refuses %s, saying why', (name, why) => {
    const [problem] = passThroughProblems([name], BUILDER_SETTINGS);
    expect(problem).toContain(name);
    expect(problem).toContain(why);
  });

  it('refuses what is not a variable name', () => {
    expect(passThroughProblems(['A=B', '1ABC', 'WITH SPACE'], BUILDER_SETTINGS)).toHaveLength(3);
  });

  it('names every refused variable in one error', () => {
    expect(() => assertPassThroughAllowed(['GIT_SSL_CAINFO', 'DATABASE_URL', 'PGPASSWORD'], BUILDER_SETTINGS)).toThrow(
      /^FLIGHTDECK_BUILD_PASS_THROUGH: DATABASE_URL is .*; PGPASSWORD is /,
    );
    expect(() => assertPassThroughAllowed(['GIT_SSL_CAINFO'], BUILDER_SETTINGS)).not.toThrow();
  });
});

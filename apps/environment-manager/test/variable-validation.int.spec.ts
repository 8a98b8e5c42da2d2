import { randomUUID } from 'node:crypto';
import { type Environment, ErrorCode, setVariable, validateVariables } from '@flightdeck/contracts';
import { EnvironmentManagerHarness } from './support/environment-manager-harness';

jest.setTimeout(120_000);

const ANTHROPIC_KEY = `sk-ant-api03-${'q'.repeat(40)}`;
const DB_URL_NO_DATABASE = 'postgresql://app:Sup3rS3cret@db.example.com:5432';

describe('variable validation', () => {
  let h: EnvironmentManagerHarness;
  let production: Environment;

  beforeAll(async () => {
    h = await EnvironmentManagerHarness.start();
    ({ production } = await h.project('validation'));
    const set = (key: string, value: string, sensitive: boolean) =>
      h.bus.request(setVariable, { environmentId: production.id, key, value, sensitive });
    await set('DATABASE_URL', DB_URL_NO_DATABASE, true);
    await set('OPENAI_API_KEY', ANTHROPIC_KEY, true);
    await set('REDIS_URL', 'rediss://cache.example.com:6380', false);
    await set('NODE_ENV', 'production', false);
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('checks a value against the rule given, or the known rule of its key', async () => {
    const given = await h.bus.request(validateVariables, {
      environmentId: production.id,
      key: 'APP_VERSION',
      value: 'v1',
      rule: { kind: 'pattern', pattern: '^\\d+\\.\\d+\\.\\d+$', description: 'a version like 1.2.3' },
    });
    expect(given).toEqual({
      ok: true,
      data: {
        valid: false,
        errors: { APP_VERSION: 'APP_VERSION must match a version like 1.2.3' },
        results: [
          {
            key: 'APP_VERSION',
            rule: expect.objectContaining({ kind: 'pattern' }),
            valid: false,
            message: 'APP_VERSION must match a version like 1.2.3',
          },
        ],
      },
    });
    const known = await h.bus.request(validateVariables, {
      environmentId: production.id,
      key: 'MONGODB_URI',
      value: 'mongodb+srv://cluster0.example.mongodb.net/app',
    });
    expect(known).toEqual({
      ok: true,
      data: {
        valid: true,
        errors: {},
        results: [{ key: 'MONGODB_URI', rule: { kind: 'mongodb-url' }, valid: true }],
      },
    });
  });

  it('checks the whole environment at once, sensitive values decrypted inside and never returned', async () => {
    const r = await h.bus.request(validateVariables, { environmentId: production.id });
    expect(r.ok && r.data.errors).toEqual({
      DATABASE_URL:
        'DATABASE_URL must be a Postgres URL (postgresql://user:password@host:5432/database): it names no database (add /<database> after the host)',
      OPENAI_API_KEY: 'OPENAI_API_KEY must be an OpenAI API key, but it is an Anthropic key (sk-ant-…)',
    });
    expect(r.ok && r.data.results.map((v) => [v.key, v.valid, v.rule?.kind ?? null])).toEqual([
      ['DATABASE_URL', false, 'postgres-url'],
      ['NODE_ENV', true, null],
      ['OPENAI_API_KEY', false, 'api-key'],
      ['REDIS_URL', true, 'redis-url'],
    ]);
    const reply = JSON.stringify(r);
    for (const secret of [ANTHROPIC_KEY, 'Sup3rS3cret', DB_URL_NO_DATABASE])
      expect(reply).not.toContain(secret);
  });

  it('checks one stored variable by key, and names one that does not exist', async () => {
    const one = await h.bus.request(validateVariables, { environmentId: production.id, key: 'REDIS_URL' });
    expect(one).toEqual({
      ok: true,
      data: {
        valid: true,
        errors: {},
        results: [{ key: 'REDIS_URL', rule: { kind: 'redis-url' }, valid: true }],
      },
    });
    const stricter = await h.bus.request(validateVariables, {
      environmentId: production.id,
      key: 'NODE_ENV',
      rule: { kind: 'length', max: 4 },
    });
    expect(stricter.ok && stricter.data.errors).toEqual({
      NODE_ENV: 'NODE_ENV must be at most 4 characters long (it has 10)',
    });
    const missing = await h.bus.request(validateVariables, { environmentId: production.id, key: 'NOPE' });
    expect(missing).toMatchObject({ ok: false, error: { code: ErrorCode.VariableNotFound } });
  });

  it('refuses a rule that does not compile with variable/invalid-rule, and an unknown environment', async () => {
    const bad = await h.bus.request(validateVariables, {
      environmentId: production.id,
      key: 'X',
      value: 'x',
      rule: { kind: 'pattern', pattern: '([a-z' },
    });
    expect(bad).toMatchObject({
      ok: false,
      error: {
        code: ErrorCode.VariableInvalidRule,
        message: expect.stringContaining('the pattern does not compile'),
      },
    });
    const unknown = await h.bus.request(validateVariables, { environmentId: randomUUID() });
    expect(unknown).toMatchObject({ ok: false, error: { code: ErrorCode.EnvironmentNotFound } });
  });
});

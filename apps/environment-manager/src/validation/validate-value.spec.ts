import {
  type VariableRule,
  VariableRule as VariableRuleSchema,
  ErrorCode,
  errorCodeOfIssues,
} from '@flightdeck/contracts';
import { validateValue } from './validate-value';

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const JWT = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ role: 'anon', iss: 'supabase' })}.c2lnbmF0dXJl`;
const ANTHROPIC = 'sk-ant-api03-' + 'a'.repeat(40);
const OPENAI = 'sk-proj-' + 'B'.repeat(40);

const rule = (r: VariableRule) => r;
const HTTP = rule({ kind: 'http-url' });
const PG = rule({ kind: 'postgres-url' });
const MONGO = rule({ kind: 'mongodb-url' });
const REDIS = rule({ kind: 'redis-url' });

// [rule, value, expected message (without the key) or undefined for a pass]
const TABLE: [VariableRule, string, string | undefined][] = [
  [HTTP, 'https://example.com', undefined],
  [HTTP, 'http://localhost:3000/app', undefined],
  [HTTP, 'https://app.example.com/path?x=1', undefined],
  [HTTP, 'my-app.example.dev', 'must be an http(s) URL with a host (https://example.com): it has no scheme'],
  [HTTP, 'ftp://example.com', 'must be an http(s) URL with a host (https://example.com), not a ftp: URL'],
  [HTTP, 'https://', 'must be an http(s) URL with a host (https://example.com): it does not parse as a URL'],
  [
    HTTP,
    'https://exa mple.com',
    'must be an http(s) URL with a host (https://example.com) without spaces or line breaks',
  ],
  [HTTP, '', 'must be an http(s) URL with a host (https://example.com), not empty'],
  [PG, 'postgresql://user:pw@db.example.com:5432/app', undefined],
  [PG, 'postgres://user:pw@localhost/app?sslmode=verify-full', undefined],
  [PG, 'postgres://user:pw@/app?host=/var/run/postgresql', undefined],
  [
    PG,
    'postgres://user:pw@db.example.com:5432',
    'must be a Postgres URL (postgresql://user:password@host:5432/database): it names no database (add /<database> after the host)',
  ],
  [
    PG,
    'mysql://user:pw@db/app',
    'must be a Postgres URL (postgresql://user:password@host:5432/database), not a mysql: URL',
  ],
  [
    PG,
    'postgres://user:pw@db:99999/app',
    'must be a Postgres URL (postgresql://user:password@host:5432/database): it does not parse (a bad port or an unescaped character in the password?)',
  ],
  [
    PG,
    'postgres:///app',
    'must be a Postgres URL (postgresql://user:password@host:5432/database): it names no host',
  ],
  [
    PG,
    'db.example.com/app',
    'must be a Postgres URL (postgresql://user:password@host:5432/database): it has no scheme',
  ],
  [MONGO, 'mongodb://user:pw@localhost:27017/app', undefined],
  [MONGO, 'mongodb://a.example.com:27017,b.example.com:27017/app?replicaSet=rs0', undefined],
  [MONGO, 'mongodb+srv://user:pw@cluster0.abcde.mongodb.net/app?retryWrites=true', undefined],
  [
    MONGO,
    'mongodb+srv://cluster0.abcde.mongodb.net:27017/app',
    'must not give a port in a mongodb+srv:// URL (it comes from DNS)',
  ],
  [
    MONGO,
    'mongodb+srv://a.example.com,b.example.com/app',
    'must name exactly one host in a mongodb+srv:// URL (the others come from DNS)',
  ],
  [
    MONGO,
    'mongodb:///app',
    'must be a MongoDB URL (mongodb://host:27017/database or mongodb+srv://cluster.example.net/database): it names no host',
  ],
  [
    MONGO,
    'postgres://localhost/app',
    'must be a MongoDB URL (mongodb://host:27017/database or mongodb+srv://cluster.example.net/database), not a postgres: URL',
  ],
  [REDIS, 'redis://localhost:6379', undefined],
  [REDIS, 'rediss://:secret@cache.example.com:6380/0', undefined],
  [
    REDIS,
    'http://localhost:6379',
    'must be a Redis URL (redis://host:6379 or rediss://host:6380 for TLS), not a http: URL',
  ],
  [
    REDIS,
    'redis://localhost:6379/cache',
    'must be a Redis URL (redis://host:6379 or rediss://host:6380 for TLS): the database after the host must be a number (redis://host:6379/0)',
  ],
  [
    REDIS,
    'localhost:6379',
    'must be a Redis URL (redis://host:6379 or rediss://host:6380 for TLS), not a localhost: URL',
  ],
  [{ kind: 'api-key', provider: 'anthropic' }, ANTHROPIC, undefined],
  [{ kind: 'api-key', provider: 'anthropic' }, OPENAI, 'must be an Anthropic API key (sk-ant-…)'],
  [{ kind: 'api-key', provider: 'openai' }, OPENAI, undefined],
  [{ kind: 'api-key', provider: 'openai' }, 'sk-' + 'x'.repeat(48), undefined],
  [
    { kind: 'api-key', provider: 'openai' },
    ANTHROPIC,
    'must be an OpenAI API key, but it is an Anthropic key (sk-ant-…)',
  ],
  [
    { kind: 'api-key', provider: 'openai' },
    `${OPENAI} `,
    'must be an OpenAI API key without spaces or line breaks (copied with a space or a newline?)',
  ],
  [{ kind: 'api-key', provider: 'clerk-publishable' }, 'pk_test_Y2xlcmsuZXhhbXBsZS5jb20k', undefined],
  [
    { kind: 'api-key', provider: 'clerk-publishable' },
    'sk_test_abcdefghijklmnopqrstu',
    'must be a Clerk publishable key (pk_test_… or pk_live_…)',
  ],
  [{ kind: 'api-key', provider: 'clerk-secret' }, 'sk_live_abcdefghijklmnopqrstu', undefined],
  [
    { kind: 'api-key', provider: 'clerk-secret' },
    'pk_live_abcdefghijklmnopqrstu',
    'must be a Clerk secret key (sk_test_… or sk_live_…)',
  ],
  [{ kind: 'api-key', provider: 'supabase' }, JWT, undefined],
  [{ kind: 'api-key', provider: 'supabase' }, 'sb_publishable_abcdefghijklmnop', undefined],
  [
    { kind: 'api-key', provider: 'supabase' },
    'eyJhbGciOi.not-json.sig',
    'must be a Supabase key: it starts like a JWT but has a header that is not JSON naming an alg',
  ],
  [{ kind: 'api-key', provider: 'google' }, 'AIza' + 'S'.repeat(35), undefined],
  [
    { kind: 'api-key', provider: 'google' },
    'AIza' + 'S'.repeat(20),
    'must be a Google API key (AIza… (39 characters))',
  ],
  [{ kind: 'api-key', provider: 'aws-access-key-id' }, 'AKIAIOSFODNN7EXAMPLE', undefined],
  [
    { kind: 'api-key', provider: 'aws-access-key-id' },
    'akiaiosfodnn7example',
    'must be an AWS access key id (AKIA… (20 characters))',
  ],
  [{ kind: 'api-key' }, 'abcdefghijklmnop', undefined],
  [{ kind: 'api-key' }, 'short', 'must be an API key of at least 16 characters (it has 5)'],
  [
    { kind: 'api-key', minLength: 4 },
    'ab cd',
    'must be an API key without spaces or line breaks (copied with a space or a newline?)',
  ],
  [{ kind: 'api-key' }, '', 'must be an API key, not empty'],
  [{ kind: 'jwt' }, JWT, undefined],
  [
    { kind: 'jwt' },
    'a.b',
    'must be a JWT (header.payload.signature): it has 2 parts separated by dots, where a JWT has 3',
  ],
  [
    { kind: 'jwt' },
    `${b64({ typ: 'JWT' })}.${b64({})}.sig`,
    'must be a JWT (header.payload.signature): it has a header that is not JSON naming an alg',
  ],
  [
    { kind: 'jwt' },
    `${b64({ alg: 'none' })}.${b64([1])}.`,
    'must be a JWT (header.payload.signature): it has a payload that is not a JSON object',
  ],
  [
    { kind: 'jwt' },
    `${b64({ alg: 'HS256' })}.a+b.sig`,
    'must be a JWT (header.payload.signature): it has a part that is not base64url',
  ],
  [{ kind: 'secret', minLength: 32 }, 'x'.repeat(44), undefined],
  [
    { kind: 'secret', minLength: 32 },
    'changeme',
    'must be a secret of at least 32 characters (it has 8; generate one with openssl rand -base64 32)',
  ],
  [{ kind: 'length', min: 2, max: 5 }, 'abc', undefined],
  [{ kind: 'length', min: 2, max: 5 }, '🚀🚀', undefined],
  [{ kind: 'length', min: 2 }, 'a', 'must be at least 2 characters long (it has 1)'],
  [{ kind: 'length', max: 3 }, 'abcd', 'must be at most 3 characters long (it has 4)'],
  [
    { kind: 'pattern', pattern: '^\\d+\\.\\d+\\.\\d+$', description: 'a version like 1.2.3' },
    '1.2.3',
    undefined,
  ],
  [
    { kind: 'pattern', pattern: '^\\d+\\.\\d+\\.\\d+$', description: 'a version like 1.2.3' },
    'v1',
    'must match a version like 1.2.3',
  ],
  [{ kind: 'pattern', pattern: '^(on|off)$', flags: 'i' }, 'ON', undefined],
  [{ kind: 'pattern', pattern: '^(on|off)$' }, 'yes', 'must match the pattern /^(on|off)$/'],
];

describe('validateValue', () => {
  it.each(TABLE)('%j: %s', (r, value, expected) => {
    expect(validateValue('MY_VAR', value, r)).toBe(expected === undefined ? undefined : `MY_VAR ${expected}`);
  });

  it('has a table of at least 40 values, good and bad', () => {
    expect(TABLE.length).toBeGreaterThanOrEqual(40);
    expect(TABLE.filter(([, , e]) => e === undefined).length).toBeGreaterThanOrEqual(15);
  });

  it('never quotes the value in a message', () => {
    for (const [r, value, expected] of TABLE)
      if (expected && value.length > 8) expect(validateValue('K', value, r)).not.toContain(value);
  });
});

describe('a pattern rule', () => {
  it('stops a catastrophic pattern after its time limit, with a message instead of a blocked service', () => {
    const started = Date.now();
    expect(validateValue('SLOW', `${'a'.repeat(40)}!`, { kind: 'pattern', pattern: '^(a+)+$' })).toBe(
      'SLOW could not be checked: its pattern took longer than 100 ms on this value (nested repetition such as (a+)+ makes a pattern this slow)',
    );
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(validateValue('FAST', 'aaa', { kind: 'pattern', pattern: '^(a+)+$' })).toBeUndefined();
  });
});

describe('VariableRule', () => {
  it('refuses a pattern that does not compile, with variable/invalid-rule', () => {
    const parsed = VariableRuleSchema.safeParse({ kind: 'pattern', pattern: '([a-z' });
    expect(parsed.success).toBe(false);
    if (parsed.success) return;
    expect(parsed.error.issues[0].message).toMatch(/^the pattern does not compile: /);
    expect(errorCodeOfIssues(parsed.error)).toBe(ErrorCode.VariableInvalidRule);
  });

  it('refuses a length rule whose min is over its max, and an unknown kind', () => {
    const bad = VariableRuleSchema.safeParse({ kind: 'length', min: 5, max: 2 });
    expect(bad.success || errorCodeOfIssues(bad.error)).toBe(ErrorCode.VariableInvalidRule);
    expect(VariableRuleSchema.safeParse({ kind: 'email' }).success).toBe(false);
  });
});

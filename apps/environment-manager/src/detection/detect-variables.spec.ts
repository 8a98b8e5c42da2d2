import { detectVariables } from './detect-variables';
import { parseEnvExample } from './env-example';
import { ruleForKey } from './known-variables';
import { generateSecret } from './secret-generator';

const pkg = (dependencies: Record<string, string>, devDependencies: Record<string, string> = {}) =>
  JSON.stringify({ name: 'app', dependencies, devDependencies });

const keysOf = (packageJson: string, envExamples: { name: string; text: string }[] = []) =>
  detectVariables({ packageJson, envExamples }).variables.map((v) => v.key);

describe('detectVariables: one sample project per family', () => {
  it.each([
    ['Prisma', pkg({ '@prisma/client': '^5' }, { prisma: '^5' }), ['DATABASE_URL']],
    ['Drizzle', pkg({ 'drizzle-orm': '^0.30', postgres: '^3' }), ['DATABASE_URL']],
    ['pg', pkg({ pg: '^8' }), ['DATABASE_URL']],
    ['TypeORM', pkg({ typeorm: '^0.3' }), ['DATABASE_URL']],
    ['MongoDB (mongoose)', pkg({ mongoose: '^8' }), ['MONGODB_URI']],
    [
      'Supabase',
      pkg({ next: '^15', '@supabase/supabase-js': '^2' }),
      ['NEXT_PUBLIC_SUPABASE_URL', 'NEXT_PUBLIC_SUPABASE_ANON_KEY', 'NEXT_PUBLIC_APP_URL'],
    ],
    ['NextAuth', pkg({ 'next-auth': '^4' }), ['NEXTAUTH_SECRET', 'NEXTAUTH_URL']],
    [
      'Clerk',
      pkg({ next: '^15', '@clerk/nextjs': '^5' }),
      ['NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY', 'CLERK_SECRET_KEY', 'NEXT_PUBLIC_APP_URL'],
    ],
    ['Anthropic', pkg({ '@anthropic-ai/sdk': '^0.30' }), ['ANTHROPIC_API_KEY']],
    ['OpenAI', pkg({ openai: '^4' }), ['OPENAI_API_KEY']],
    [
      'AWS Bedrock',
      pkg({ '@aws-sdk/client-bedrock-runtime': '^3' }),
      ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION'],
    ],
    ['Google Gemini', pkg({ '@google/generative-ai': '^0.21' }), ['GOOGLE_GENERATIVE_AI_API_KEY']],
    ['Redis (ioredis)', pkg({ ioredis: '^5' }), ['REDIS_URL']],
    ['Next.js (the app URL)', pkg({ next: '^15', react: '^19' }), ['NEXT_PUBLIC_APP_URL']],
    ['nothing known', pkg({ 'left-pad': '^1' }), []],
  ])('%s', (_, packageJson, expected) => {
    expect(keysOf(packageJson)).toEqual(expected);
  });

  it('describes each variable with an example, whether it is required and sensitive, and its rule', () => {
    const { variables, framework } = detectVariables({
      packageJson: pkg({ next: '^15', 'next-auth': '^4', pg: '^8' }),
      envExamples: [],
    });
    expect(framework).toBe('nextjs');
    expect(variables.find((v) => v.key === 'DATABASE_URL')).toEqual({
      key: 'DATABASE_URL',
      description: 'Postgres connection URL, with the database name',
      example: 'postgresql://user:password@db.example.com:5432/app',
      required: true,
      sensitive: true,
      rule: { kind: 'postgres-url' },
      generatable: false,
      sources: ['dependency pg'],
    });
    expect(variables.find((v) => v.key === 'NEXTAUTH_SECRET')).toMatchObject({
      generatable: true,
      rule: { kind: 'secret', minLength: 32 },
    });
    expect(variables.find((v) => v.key === 'NEXTAUTH_URL')).toMatchObject({
      sensitive: false,
      rule: { kind: 'http-url' },
    });
    expect(variables.find((v) => v.key === 'NEXT_PUBLIC_APP_URL')).toMatchObject({
      required: false,
      sources: ['framework nextjs'],
    });
  });

  it('adds what .env.example lists: OAuth credentials with their rules, unknown keys with their comment, commented-out ones as optional', () => {
    const example = [
      '# Postgres',
      'DATABASE_URL="postgresql://localhost/app"',
      '',
      '# OAuth app from github.com/settings/developers',
      'GITHUB_CLIENT_ID=',
      'GITHUB_CLIENT_SECRET=',
      '# Where uploads go',
      'UPLOAD_BUCKET=my-bucket',
      'STRIPE_SECRET_KEY=sk_live_realkeycommittedbymistake',
      '# SENTRY_DSN=https://key@sentry.io/1',
      'export ANALYTICS_REDIS_URL=redis://localhost:6379',
    ].join('\n');
    const { variables } = detectVariables({
      packageJson: pkg({ '@prisma/client': '^5' }),
      envExamples: [{ name: '.env.example', text: example }],
    });
    const by = Object.fromEntries(variables.map((v) => [v.key, v]));
    expect(Object.keys(by)).toEqual([
      'DATABASE_URL',
      'GITHUB_CLIENT_ID',
      'GITHUB_CLIENT_SECRET',
      'UPLOAD_BUCKET',
      'STRIPE_SECRET_KEY',
      'SENTRY_DSN',
      'ANALYTICS_REDIS_URL',
    ]);
    expect(by.DATABASE_URL.sources).toEqual(['dependency @prisma/client', '.env.example']);
    expect(by.GITHUB_CLIENT_SECRET).toMatchObject({
      sensitive: true,
      required: true,
      rule: { kind: 'api-key', minLength: 20 },
    });
    expect(by.UPLOAD_BUCKET).toMatchObject({
      description: 'Where uploads go',
      example: 'my-bucket',
      sensitive: false,
      required: true,
      rule: null,
    });
    expect(by.STRIPE_SECRET_KEY).toMatchObject({ sensitive: true, example: '' });
    expect(by.SENTRY_DSN).toMatchObject({ required: false, sensitive: true });
    expect(by.ANALYTICS_REDIS_URL).toMatchObject({
      rule: { kind: 'redis-url' },
      example: 'redis://localhost:6379',
    });
  });

  it('reads a repository without package.json, and says so when package.json is not JSON', () => {
    expect(
      detectVariables({ envExamples: [{ name: '.env.sample', text: 'API_URL=https://api.example.com' }] }),
    ).toMatchObject({
      framework: 'unknown',
      variables: [{ key: 'API_URL', sources: ['.env.sample'] }],
      warnings: [],
    });
    expect(detectVariables({ packageJson: '{ nope', envExamples: [] })).toEqual({
      framework: 'node',
      variables: [],
      warnings: ['package.json is not valid JSON: its dependencies were not read'],
    });
  });
});

describe('public variables under each framework', () => {
  it.each([
    [
      'Next.js',
      { next: '15', '@supabase/supabase-js': '2' },
      ['NEXT_PUBLIC_SUPABASE_URL', 'NEXT_PUBLIC_SUPABASE_ANON_KEY', 'NEXT_PUBLIC_APP_URL'],
    ],
    ['Vite', { vite: '5', '@supabase/supabase-js': '2' }, ['VITE_SUPABASE_URL', 'VITE_SUPABASE_ANON_KEY']],
    [
      'SvelteKit',
      { '@sveltejs/kit': '2', '@supabase/supabase-js': '2' },
      ['PUBLIC_SUPABASE_URL', 'PUBLIC_SUPABASE_ANON_KEY'],
    ],
    [
      'Nuxt',
      { nuxt: '3', '@supabase/supabase-js': '2' },
      ['NUXT_PUBLIC_SUPABASE_URL', 'NUXT_PUBLIC_SUPABASE_ANON_KEY'],
    ],
    [
      'an Express server',
      { express: '4', '@clerk/express': '1' },
      ['CLERK_PUBLISHABLE_KEY', 'CLERK_SECRET_KEY'],
    ],
  ])('%s', (_, dependencies, expected) => {
    const { variables } = detectVariables({ packageJson: pkg(dependencies), envExamples: [] });
    expect(variables.map((v) => v.key)).toEqual(expected);
    expect(variables.every((v) => v.rule !== null)).toBe(true);
  });

  it('knows the rule of a catalog variable under any prefix, and guesses URLs by name only', () => {
    expect(ruleForKey('VITE_SUPABASE_URL')).toEqual({ kind: 'http-url' });
    expect(ruleForKey('CLERK_PUBLISHABLE_KEY')).toEqual({ kind: 'api-key', provider: 'clerk-publishable' });
    expect(ruleForKey('SHADOW_DATABASE_URL')).toEqual({ kind: 'postgres-url' });
    expect(ruleForKey('POSTGRES_PRISMA_URL')).toEqual({ kind: 'postgres-url' });
    expect(ruleForKey('CACHE_REDIS_URL')).toEqual({ kind: 'redis-url' });
    expect(ruleForKey('POSTGRES_PASSWORD')).toBeNull();
    expect(ruleForKey('MONGO_INITDB_ROOT_USERNAME')).toBeNull();
    expect(ruleForKey('NODE_ENV')).toBeNull();
  });

  // found by the API fuzz test: validating an environment holding a variable named `constructor`
  // answered 500 (the rule read off Object.prototype failed the reply schema)
  it('takes a key named like a member of every object (constructor, __proto__, toString) for no catalog entry', () => {
    for (const key of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'NEXT_PUBLIC_constructor', 'VITE___proto__']) {
      expect([key, ruleForKey(key)]).toEqual([key, null]);
    }
    const { variables } = detectVariables({ envExamples: [{ name: '.env.example', text: 'constructor=\nvalueOf=1\n' }] });
    expect(variables.map((v) => [v.key, v.rule])).toEqual([
      ['constructor', null],
      ['valueOf', null],
    ]);
  });
});

describe('parseEnvExample', () => {
  it('reads quoted values, export, CRLF lines, and keeps the set line over a commented one', () => {
    expect(parseEnvExample('# KEY=old\r\nKEY=\'new value\'\r\nexport OTHER="a#b" # trailing\r\n')).toEqual([
      { key: 'KEY', example: 'new value', description: '', optional: false },
      { key: 'OTHER', example: 'a#b', description: '', optional: false },
    ]);
  });
});

describe('generateSecret', () => {
  it('makes 32 random bytes as base64, different every time', () => {
    const a = generateSecret(32);
    expect(Buffer.from(a, 'base64')).toHaveLength(32);
    expect(generateSecret(32)).not.toBe(a);
  });
});

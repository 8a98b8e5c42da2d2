import type { DetectedFramework, VariableRule } from '@flightdeck/contracts';

export interface VariableSpec {
  key: string;
  description: string;
  example: string;
  required: boolean;
  sensitive: boolean;
  rule: VariableRule | null;
  /** bytes of randomness when the platform can generate it */
  generateBytes?: number;
}

const spec = (
  key: string,
  description: string,
  example: string,
  rule: VariableRule | null,
  more: Partial<VariableSpec> = {},
): VariableSpec => ({
  key,
  description,
  example,
  required: true,
  sensitive: true,
  rule,
  ...more,
});

const JWT_EXAMPLE = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJyb2xlIjoiYW5vbiJ9.…';

// What each well-known variable is, and the rule its value must pass. Examples are shapes, never
// working credentials.
export const KNOWN_VARIABLES: Record<string, VariableSpec> = Object.fromEntries(
  [
    spec(
      'DATABASE_URL',
      'Postgres connection URL, with the database name',
      'postgresql://user:password@db.example.com:5432/app',
      { kind: 'postgres-url' },
    ),
    spec(
      'MONGODB_URI',
      'MongoDB connection URL',
      'mongodb+srv://user:password@cluster0.example.mongodb.net/app',
      { kind: 'mongodb-url' },
    ),
    spec(
      'REDIS_URL',
      'Redis connection URL (rediss:// for TLS)',
      'redis://default:password@cache.example.com:6379',
      { kind: 'redis-url' },
    ),
    spec(
      'NEXT_PUBLIC_SUPABASE_URL',
      'Your Supabase project URL (public: sent to browsers)',
      'https://abcdefghijkl.supabase.co',
      { kind: 'http-url' },
      { sensitive: false },
    ),
    spec(
      'NEXT_PUBLIC_SUPABASE_ANON_KEY',
      'Supabase anon (publishable) key: public, limited by your row level security',
      JWT_EXAMPLE,
      { kind: 'api-key', provider: 'supabase' },
      { sensitive: false },
    ),
    spec(
      'SUPABASE_SERVICE_ROLE_KEY',
      'Supabase service role key: bypasses row level security, server only',
      JWT_EXAMPLE,
      { kind: 'api-key', provider: 'supabase' },
      { required: false },
    ),
    spec(
      'NEXTAUTH_SECRET',
      'Secret that signs and encrypts NextAuth sessions (32+ random bytes)',
      'generate: openssl rand -base64 32',
      { kind: 'secret', minLength: 32 },
      { generateBytes: 32 },
    ),
    spec(
      'AUTH_SECRET',
      'Secret that signs and encrypts Auth.js sessions (32+ random bytes)',
      'generate: openssl rand -base64 32',
      { kind: 'secret', minLength: 32 },
      { generateBytes: 32 },
    ),
    spec(
      'NEXTAUTH_URL',
      'The canonical URL of your site, for NextAuth callbacks',
      'https://app.example.com',
      { kind: 'http-url' },
      { sensitive: false },
    ),
    spec(
      'GITHUB_CLIENT_ID',
      'GitHub OAuth app client id',
      'Iv1.0123456789abcdef',
      { kind: 'length', min: 8 },
      { sensitive: false },
    ),
    spec(
      'GITHUB_CLIENT_SECRET',
      'GitHub OAuth app client secret',
      '0123456789abcdef0123456789abcdef01234567',
      { kind: 'api-key', minLength: 20 },
    ),
    spec(
      'AUTH_GITHUB_ID',
      'GitHub OAuth app client id (Auth.js)',
      'Iv1.0123456789abcdef',
      { kind: 'length', min: 8 },
      { sensitive: false },
    ),
    spec(
      'AUTH_GITHUB_SECRET',
      'GitHub OAuth app client secret (Auth.js)',
      '0123456789abcdef0123456789abcdef01234567',
      { kind: 'api-key', minLength: 20 },
    ),
    spec(
      'AUTH_GOOGLE_ID',
      'Google OAuth client id (Auth.js)',
      '1234567890-abc.apps.googleusercontent.com',
      {
        kind: 'pattern',
        pattern: '\\.apps\\.googleusercontent\\.com$',
        description: 'a Google OAuth client id (….apps.googleusercontent.com)',
      },
      { sensitive: false },
    ),
    spec('AUTH_GOOGLE_SECRET', 'Google OAuth client secret (Auth.js)', 'GOCSPX-…', {
      kind: 'api-key',
      minLength: 20,
    }),
    spec(
      'GOOGLE_CLIENT_ID',
      'Google OAuth client id',
      '1234567890-abc.apps.googleusercontent.com',
      {
        kind: 'pattern',
        pattern: '\\.apps\\.googleusercontent\\.com$',
        description: 'a Google OAuth client id (….apps.googleusercontent.com)',
      },
      { sensitive: false },
    ),
    spec('GOOGLE_CLIENT_SECRET', 'Google OAuth client secret', 'GOCSPX-…', {
      kind: 'api-key',
      minLength: 20,
    }),
    spec(
      'NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY',
      'Clerk publishable key (public)',
      'pk_test_…',
      { kind: 'api-key', provider: 'clerk-publishable' },
      { sensitive: false },
    ),
    spec('CLERK_SECRET_KEY', 'Clerk secret key, server only', 'sk_test_…', {
      kind: 'api-key',
      provider: 'clerk-secret',
    }),
    spec('ANTHROPIC_API_KEY', 'Anthropic API key', 'sk-ant-api03-…', {
      kind: 'api-key',
      provider: 'anthropic',
    }),
    spec('OPENAI_API_KEY', 'OpenAI API key', 'sk-proj-…', { kind: 'api-key', provider: 'openai' }),
    spec('AWS_ACCESS_KEY_ID', 'AWS access key id with access to Bedrock', 'AKIAIOSFODNN7EXAMPLE', {
      kind: 'api-key',
      provider: 'aws-access-key-id',
    }),
    spec('AWS_SECRET_ACCESS_KEY', 'AWS secret access key', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', {
      kind: 'api-key',
      minLength: 40,
    }),
    spec(
      'AWS_REGION',
      'AWS region of your Bedrock models',
      'us-east-1',
      {
        kind: 'pattern',
        pattern: '^[a-z]{2}(-gov)?-[a-z]+-\\d$',
        description: 'an AWS region such as us-east-1',
      },
      { sensitive: false },
    ),
    spec('GOOGLE_GENERATIVE_AI_API_KEY', 'Google Gemini API key (Google AI Studio)', 'AIza…', {
      kind: 'api-key',
      provider: 'google',
    }),
    spec('GEMINI_API_KEY', 'Google Gemini API key (Google AI Studio)', 'AIza…', {
      kind: 'api-key',
      provider: 'google',
    }),
    spec(
      'NEXT_PUBLIC_APP_URL',
      'The public URL of the app, for links and redirects',
      'https://app.example.com',
      { kind: 'http-url' },
      { sensitive: false, required: false },
    ),
  ].map((s) => [s.key, s]),
);

// A name that says it holds a secret, for variables we know only from a .env.example.
export const looksSensitive = (key: string) =>
  /(SECRET|PASSWORD|PASSWD|TOKEN|PRIVATE|API_KEY|_KEY$|CREDENTIAL|DSN)/i.test(key) &&
  !/^(NEXT_PUBLIC|VITE|PUBLIC|NUXT_PUBLIC)_/.test(key);

// The catalog names browser-visible variables the Next.js way; other frameworks expose them under
// their own prefix (VITE_SUPABASE_URL), and servers read them bare (CLERK_PUBLISHABLE_KEY).
const NEXT_PUBLIC = 'NEXT_PUBLIC_';
const PUBLIC_PREFIXES = ['NUXT_PUBLIC_', 'VITE_', 'PUBLIC_', ''];

export const publicPrefixOf = (framework: DetectedFramework): string => {
  switch (framework) {
    case 'nextjs':
    case 'unknown':
      return NEXT_PUBLIC;
    case 'vite':
      return 'VITE_';
    case 'astro':
    case 'sveltekit':
      return 'PUBLIC_';
    case 'nuxt':
      return 'NUXT_PUBLIC_';
    default:
      return '';
  }
};

/** the name a catalog variable has in a project of this framework */
export const nameFor = (key: string, framework: DetectedFramework): string =>
  key.startsWith(NEXT_PUBLIC) ? publicPrefixOf(framework) + key.slice(NEXT_PUBLIC.length) : key;

// own entries only: a variable may be called `constructor` or `__proto__`, which a plain lookup
// would answer with Object.prototype's members (a "rule" no reply schema accepts)
const catalogEntry = (key: string): VariableSpec | undefined => (Object.hasOwn(KNOWN_VARIABLES, key) ? KNOWN_VARIABLES[key] : undefined);

/** the catalog's entry for a key, under any framework's public prefix */
export const specFor = (key: string): VariableSpec | undefined => {
  const own = catalogEntry(key);
  if (own) return own;
  for (const prefix of PUBLIC_PREFIXES) {
    if (!key.startsWith(prefix)) continue;
    const spec = catalogEntry(NEXT_PUBLIC + key.slice(prefix.length));
    if (spec) return { ...spec, key };
  }
  return undefined;
};

// A rule for any key: the catalog's, else one guessed from the name (*_DATABASE_URL, *_REDIS_URL).
export const ruleForKey = (key: string): VariableRule | null => {
  const known = specFor(key);
  if (known) return known.rule;
  if (/DATABASE_URL$|^POSTGRES(QL)?_(\w+_)?(URL|URI)$/.test(key)) return { kind: 'postgres-url' };
  if (/MONGO/.test(key) && /_(URL|URI)$/.test(key)) return { kind: 'mongodb-url' };
  if (/REDIS/.test(key) && /_(URL|URI)$/.test(key)) return { kind: 'redis-url' };
  return null;
};

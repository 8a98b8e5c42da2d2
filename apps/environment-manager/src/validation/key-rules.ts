import type { ApiKeyProvider } from '@flightdeck/contracts';
import { WHITESPACE } from './rule-check';

const BASE64URL = /^[A-Za-z0-9_-]+$/;

const jsonPart = (part: string): unknown => {
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
};

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

// header.payload.signature, each base64url; header and payload JSON objects, the header naming its alg.
// The signature is not verified: we do not hold the issuer's key, only the shape is checked.
export const jwtProblem = (value: string): string | undefined => {
  const parts = value.split('.');
  if (parts.length !== 3)
    return `has ${parts.length} part${parts.length === 1 ? '' : 's'} separated by dots, where a JWT has 3`;
  if (parts.some((p, i) => !BASE64URL.test(p) && !(i === 2 && p === '')))
    return 'has a part that is not base64url';
  const header = jsonPart(parts[0]);
  if (!isObject(header) || typeof header.alg !== 'string')
    return 'has a header that is not JSON naming an alg';
  if (!isObject(jsonPart(parts[1]))) return 'has a payload that is not a JSON object';
  return undefined;
};

export const checkJwt = (value: string): string | undefined => {
  if (WHITESPACE.test(value)) return 'must be a JWT (header.payload.signature) without spaces or line breaks';
  const problem = jwtProblem(value);
  return problem ? `must be a JWT (header.payload.signature): it ${problem}` : undefined;
};

interface ProviderShape {
  name: string;
  pattern: RegExp;
  looksLike: string;
}

const SUPABASE_KEY = /^sb_(publishable|secret)_[A-Za-z0-9_-]{10,}$/;

const PROVIDERS: Record<ApiKeyProvider, ProviderShape> = {
  anthropic: { name: 'an Anthropic API key', pattern: /^sk-ant-[A-Za-z0-9_-]{20,}$/, looksLike: 'sk-ant-…' },
  // sk-…, sk-proj-…, sk-svcacct-…; an Anthropic key is refused below by name
  openai: { name: 'an OpenAI API key', pattern: /^sk-[A-Za-z0-9_-]{20,}$/, looksLike: 'sk-… or sk-proj-…' },
  'clerk-publishable': {
    name: 'a Clerk publishable key',
    pattern: /^pk_(test|live)_[A-Za-z0-9+/=_-]{10,}$/,
    looksLike: 'pk_test_… or pk_live_…',
  },
  'clerk-secret': {
    name: 'a Clerk secret key',
    pattern: /^sk_(test|live)_[A-Za-z0-9]{10,}$/,
    looksLike: 'sk_test_… or sk_live_…',
  },
  // the legacy anon/service_role keys are JWTs; the newer ones sb_publishable_… / sb_secret_…
  supabase: { name: 'a Supabase key', pattern: SUPABASE_KEY, looksLike: 'a JWT (eyJ…) or sb_publishable_…' },
  google: {
    name: 'a Google API key',
    pattern: /^AIza[0-9A-Za-z_-]{35}$/,
    looksLike: 'AIza… (39 characters)',
  },
  'aws-access-key-id': {
    name: 'an AWS access key id',
    pattern: /^(AKIA|ASIA)[A-Z0-9]{16}$/,
    looksLike: 'AKIA… (20 characters)',
  },
};

const DEFAULT_MIN_LENGTH = 16;

export const checkApiKey = (
  value: string,
  provider?: ApiKeyProvider,
  minLength = DEFAULT_MIN_LENGTH,
): string | undefined => {
  const what = provider ? PROVIDERS[provider].name : 'an API key';
  if (!value) return `must be ${what}, not empty`;
  if (WHITESPACE.test(value))
    return `must be ${what} without spaces or line breaks (copied with a space or a newline?)`;
  if (value.length < minLength)
    return `must be ${what} of at least ${minLength} characters (it has ${value.length})`;
  if (!provider) return undefined;
  if (provider === 'openai' && value.startsWith('sk-ant-'))
    return 'must be an OpenAI API key, but it is an Anthropic key (sk-ant-…)';
  if (provider === 'supabase' && value.startsWith('eyJ')) {
    const problem = jwtProblem(value);
    return problem ? `must be a Supabase key: it starts like a JWT but ${problem}` : undefined;
  }
  const shape = PROVIDERS[provider];
  return shape.pattern.test(value) ? undefined : `must be ${shape.name} (${shape.looksLike})`;
};

export const checkSecret = (value: string, minLength: number): string | undefined => {
  if (WHITESPACE.test(value)) return 'must be a secret without spaces or line breaks';
  if (value.length < minLength)
    return `must be a secret of at least ${minLength} characters (it has ${value.length}; generate one with openssl rand -base64 32)`;
  return undefined;
};

import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

// docker-compose.yml as `docker compose config` would see it: YAML with merge keys (<<), then every
// string value interpolated from the environment with compose's rules. Keys are not interpolated.

export interface ComposeService {
  image?: string;
  build?: { context: string; target?: string; dockerfile?: string };
  command?: string[];
  container_name?: string;
  environment?: Record<string, string | number | boolean | null>;
  ports?: (string | { target: number; published?: string | number; host_ip?: string })[];
  volumes?: string[];
  healthcheck?: {
    test: string[];
    interval?: string;
    timeout?: string;
    retries?: number;
    start_period?: string;
  };
  depends_on?: Record<string, { condition: string }> | string[];
  deploy?: { replicas?: number };
}

export interface ComposeFile {
  name?: string;
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

export class InterpolationError extends Error {}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

// The end of the `${...}` that starts at `open` (the index of `{`), nested `${...}` included.
const closingBrace = (s: string, open: number): number => {
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    if (s[i] === '{') depth++;
    else if (s[i] === '}' && --depth === 0) return i;
  }
  throw new InterpolationError(`unclosed \${ in "${s}"`);
};

const substitute = (expr: string, env: Record<string, string | undefined>): string => {
  const name = NAME.exec(expr)?.[0];
  if (!name) throw new InterpolationError(`invalid interpolation \${${expr}}`);
  const rest = expr.slice(name.length);
  const value = env[name];
  const set = value !== undefined;
  const nonEmpty = set && value !== '';
  const op = /^(:-|-|:\?|\?|:\+|\+)?/.exec(rest)![0];
  const arg = () => interpolate(rest.slice(op.length), env);
  switch (op) {
    case '':
      if (rest) throw new InterpolationError(`invalid interpolation \${${expr}}`);
      return value ?? '';
    case ':-':
      return nonEmpty ? value : arg();
    case '-':
      return set ? value : arg();
    case ':?':
    case '?':
      if (op === ':?' ? nonEmpty : set) return value!;
      throw new InterpolationError(`required variable ${name} is missing a value: ${arg()}`);
    case ':+':
      return nonEmpty ? arg() : '';
    default:
      return set ? arg() : '';
  }
};

export function interpolate(s: string, env: Record<string, string | undefined>): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    if (s[i] !== '$') {
      out += s[i];
      continue;
    }
    const next = s[i + 1];
    if (next === '$') {
      out += '$';
      i++;
    } else if (next === '{') {
      const end = closingBrace(s, i + 1);
      out += substitute(s.slice(i + 2, end), env);
      i = end;
    } else {
      const name = NAME.exec(s.slice(i + 1))?.[0];
      if (!name) {
        out += '$';
        continue;
      }
      out += env[name] ?? '';
      i += name.length;
    }
  }
  return out;
}

const interpolateValues = (v: unknown, env: Record<string, string | undefined>): unknown => {
  if (typeof v === 'string') return interpolate(v, env);
  if (Array.isArray(v)) return v.map((x) => interpolateValues(x, env));
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, interpolateValues(x, env)]));
  }
  return v;
};

export function loadComposeFile(path: string, env: Record<string, string | undefined>): ComposeFile {
  const raw: unknown = parse(readFileSync(path, 'utf8'), { merge: true });
  const file = interpolateValues(raw, env) as ComposeFile;
  // top-level x-* keys are only anchors for the services
  for (const key of Object.keys(file))
    if (key.startsWith('x-')) delete (file as unknown as Record<string, unknown>)[key];
  return file;
}

// A service's environment as the container sees it: every value a string.
export const environmentOf = (svc: ComposeService): Record<string, string> =>
  Object.fromEntries(Object.entries(svc.environment ?? {}).map(([k, v]) => [k, v === null ? '' : String(v)]));

// KEY=VALUE lines of an env file (as compose reads .env), comments and blank lines skipped.
export const parseEnvFile = (text: string): Record<string, string> =>
  Object.fromEntries(
    text
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => {
        const eq = l.indexOf('=');
        return [l.slice(0, eq), l.slice(eq + 1)];
      }),
  );

export interface PublishedPort {
  hostIp?: string;
  /** a single port, a range "3080-3089", or undefined (Docker picks one) */
  published?: string;
  target: number;
}

// The short syntax [[ip:]published:]target[/protocol], and the long one.
export const publishedPorts = (svc: ComposeService): PublishedPort[] =>
  (svc.ports ?? []).map((p) => {
    if (typeof p === 'object')
      return { hostIp: p.host_ip, published: p.published?.toString(), target: Number(p.target) };
    const parts = String(p)
      .replace(/\/(tcp|udp)$/, '')
      .split(':');
    const target = Number(parts.pop());
    const published = parts.pop();
    return { hostIp: parts.pop(), published, target };
  });

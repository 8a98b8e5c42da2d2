import { parse as parsePostgresUrl } from 'pg-connection-string';
import { WHITESPACE } from './rule-check';

// Node's WHATWG parser for URLs with one host; Postgres URLs through pg-connection-string, as pg
// itself reads them; MongoDB's own grammar (several hosts, +srv) by its documented shape.

const parseUrl = (value: string): URL | undefined => {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
};

const schemeOf = (value: string) => /^([a-z][a-z0-9+.-]*):/i.exec(value)?.[1]?.toLowerCase();

const noWhitespace = (value: string, what: string) =>
  WHITESPACE.test(value) ? `must be ${what} without spaces or line breaks` : undefined;

export const checkHttpUrl = (value: string): string | undefined => {
  const what = 'an http(s) URL with a host (https://example.com)';
  if (!value) return `must be ${what}, not empty`;
  const spaced = noWhitespace(value, what);
  if (spaced) return spaced;
  const scheme = schemeOf(value);
  if (!scheme) return `must be ${what}: it has no scheme`;
  if (scheme !== 'http' && scheme !== 'https') return `must be ${what}, not a ${scheme}: URL`;
  const url = parseUrl(value);
  if (!url) return `must be ${what}: it does not parse as a URL`;
  if (!url.hostname) return `must be ${what}: it names no host`;
  return undefined;
};

export const checkPostgresUrl = (value: string): string | undefined => {
  const what = 'a Postgres URL (postgresql://user:password@host:5432/database)';
  if (!value) return `must be ${what}, not empty`;
  const spaced = noWhitespace(value, what);
  if (spaced) return spaced;
  const scheme = schemeOf(value);
  if (scheme !== 'postgres' && scheme !== 'postgresql')
    return `must be ${what}${scheme ? `, not a ${scheme}: URL` : ': it has no scheme'}`;
  let parsed: ReturnType<typeof parsePostgresUrl>;
  try {
    parsed = parsePostgresUrl(value);
  } catch {
    return `must be ${what}: it does not parse (a bad port or an unescaped character in the password?)`;
  }
  if (!parsed.host) return `must be ${what}: it names no host`;
  if (!parsed.database) return `must be ${what}: it names no database (add /<database> after the host)`;
  return undefined;
};

// mongodb://[user:pass@]host1[:port1][,host2[:port2]...][/[database]][?options]
// mongodb+srv://[user:pass@]host[/[database]][?options] (one host, no port: the rest comes from DNS)
export const checkMongoUrl = (value: string): string | undefined => {
  const what = 'a MongoDB URL (mongodb://host:27017/database or mongodb+srv://cluster.example.net/database)';
  if (!value) return `must be ${what}, not empty`;
  const spaced = noWhitespace(value, what);
  if (spaced) return spaced;
  const scheme = schemeOf(value);
  if (scheme !== 'mongodb' && scheme !== 'mongodb+srv')
    return `must be ${what}${scheme ? `, not a ${scheme}: URL` : ': it has no scheme'}`;
  const rest = value.slice(scheme.length + 3);
  if (!value.slice(scheme.length).startsWith('://'))
    return `must be ${what}: the scheme must be followed by ://`;
  const end = rest.search(/[/?]/);
  const authority = end === -1 ? rest : rest.slice(0, end);
  const at = authority.lastIndexOf('@');
  const hostList = at === -1 ? authority : authority.slice(at + 1);
  const hosts = hostList.split(',');
  if (!hostList || hosts.some((h) => !h)) return `must be ${what}: it names no host`;
  for (const host of hosts) {
    const url = parseUrl(`mongodb://${host}`);
    if (!url || !url.hostname) return `must be ${what}: a host in it is not valid`;
  }
  if (scheme === 'mongodb+srv') {
    if (hosts.length !== 1)
      return 'must name exactly one host in a mongodb+srv:// URL (the others come from DNS)';
    if (/:\d*$/.test(hosts[0])) return 'must not give a port in a mongodb+srv:// URL (it comes from DNS)';
  }
  if (at !== -1 && !parseUrl(`mongodb://${authority.slice(0, at)}@x`))
    return `must be ${what}: its user name or password is not URL-encoded`;
  return undefined;
};

export const checkRedisUrl = (value: string): string | undefined => {
  const what = 'a Redis URL (redis://host:6379 or rediss://host:6380 for TLS)';
  if (!value) return `must be ${what}, not empty`;
  const spaced = noWhitespace(value, what);
  if (spaced) return spaced;
  const scheme = schemeOf(value);
  if (scheme !== 'redis' && scheme !== 'rediss')
    return `must be ${what}${scheme ? `, not a ${scheme}: URL` : ': it has no scheme'}`;
  const url = parseUrl(value);
  if (!url)
    return `must be ${what}: it does not parse as a URL (a bad port or an unescaped character in the password?)`;
  if (!url.hostname) return `must be ${what}: it names no host`;
  const db = url.pathname.replace(/^\//, '');
  if (db && !/^\d+$/.test(db))
    return `must be ${what}: the database after the host must be a number (redis://host:6379/0)`;
  return undefined;
};

import { createHmac, timingSafeEqual } from 'node:crypto';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';

// The SSRF rule of every request the platform makes to a URL a user gave (outgoing hooks, the custom
// provider): its host must resolve to public addresses only. Loopback, private (RFC 1918, unique
// local), link-local (cloud metadata lives there), carrier-grade NAT, unspecified, multicast and
// reserved ranges are refused unless the operator allows them (`setting`: FLIGHTDECK_HOOKS_ALLOW_PRIVATE
// for hooks, FLIGHTDECK_PROVIDERS_ALLOW_PRIVATE for providers). The same check runs in the socket's
// DNS lookup at delivery, so a name that changes its answer after creation (DNS rebinding) is still refused.
const notPublic = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  notPublic.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  notPublic.addSubnet(net, prefix, 'ipv6');

/** whether an IP address is public (an IPv4-mapped IPv6 address is judged by its IPv4 address) */
export const isPublicAddress = (address: string): boolean => {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return isPublicAddress(mapped[1]);
  const family = isIP(address);
  if (family === 0) return false;
  return !notPublic.check(address, family === 4 ? 'ipv4' : 'ipv6');
};

const HOOKS_SETTING = 'FLIGHTDECK_HOOKS_ALLOW_PRIVATE';

export class RefusedAddressError extends Error {
  constructor(host: string, address: string, setting = HOOKS_SETTING) {
    super(`${host} resolves to ${address}, which is not a public address (set ${setting}=true to allow it)`);
  }
}

const hostOf = (url: string) => new URL(url).hostname.replace(/^\[|\]$/g, '');

const resolveAll = (host: string): Promise<LookupAddress[]> =>
  new Promise((resolve, reject) => dnsLookup(host, { all: true }, (e, addresses) => (e ? reject(e) : resolve(addresses))));

/**
 * The URL's host checked now: throws RefusedAddressError when any of its addresses is not public.
 * A name that does not resolve passes (the delivery checks again, and fails if it still does not).
 */
export const checkHookUrl = async (url: string, allowPrivate: boolean, setting = HOOKS_SETTING): Promise<void> => {
  if (allowPrivate) return;
  const host = hostOf(url);
  if (isIP(host)) {
    if (!isPublicAddress(host)) throw new RefusedAddressError(host, host, setting);
    return;
  }
  let addresses: LookupAddress[];
  try {
    addresses = await resolveAll(host);
  } catch {
    return;
  }
  const bad = addresses.find((a) => !isPublicAddress(a.address));
  if (bad) throw new RefusedAddressError(host, bad.address, setting);
};

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** a `lookup` for http.request that refuses a host with any non-public address */
export const guardedLookup =
  (allowPrivate: boolean, setting = HOOKS_SETTING) =>
  (hostname: string, options: { all?: boolean }, callback: LookupCallback): void => {
    dnsLookup(hostname, { all: true }, (e, addresses) => {
      if (e) return callback(e, []);
      const bad = allowPrivate ? undefined : addresses.find((a) => !isPublicAddress(a.address));
      if (bad) return callback(Object.assign(new RefusedAddressError(hostname, bad.address, setting), { code: 'EHOOKREFUSED' }), []);
      if (options.all) return callback(null, addresses);
      return callback(null, addresses[0].address, addresses[0].family);
    });
  };

/** an IP-literal host is never looked up: checked here before connecting */
export const checkLiteralHost = (url: string, allowPrivate: boolean, setting = HOOKS_SETTING): void => {
  const host = hostOf(url);
  if (!allowPrivate && isIP(host) && !isPublicAddress(host)) throw new RefusedAddressError(host, host, setting);
};

/** X-Flightdeck-Signature-256: GitHub's scheme, sha256=<hex HMAC-SHA256 of the raw body> */
export const signHookBody = (secret: string, body: string | Buffer): string => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

/** whether `signature` is signHookBody(secret, body), compared in constant time */
export const verifyHookSignature = (secret: string, body: string | Buffer, signature: string | undefined): boolean => {
  if (!signature) return false;
  const expected = Buffer.from(signHookBody(secret, body));
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
};

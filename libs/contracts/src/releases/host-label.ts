const LOCALHOST_SUFFIX = '.localhost';
const LABEL = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;

/** one DNS label as the edges route by: lowercase letters, digits and inner '-' */
export const isHostLabel = (s: string): boolean => LABEL.test(s);

// "Shop-Production.localhost:3080" → "shop-production"; undefined for anything that is not a
// single label under .localhost (an IP, a bare "localhost", a.b.localhost).
export function hostLabel(hostHeader: string | undefined): string | undefined {
  if (!hostHeader) return undefined;
  let host = hostHeader.trim().toLowerCase();
  if (host.startsWith('[')) return undefined;
  const colon = host.lastIndexOf(':');
  if (colon !== -1) host = host.slice(0, colon);
  if (host.endsWith('.')) host = host.slice(0, -1);
  if (!host.endsWith(LOCALHOST_SUFFIX)) return undefined;
  const label = host.slice(0, -LOCALHOST_SUFFIX.length);
  return LABEL.test(label) ? label : undefined;
}

/** an environment's own label: <project>-<environment> (names are slugs; never parsed back) */
export const environmentLabel = (project: string, environment: string): string => `${project}-${environment}`;

/** set by an edge on what it proxies to a builder's router: the label a custom domain's Host stands for */
export const ROUTE_LABEL_HEADER = 'x-flightdeck-route';

/** a Host header as a custom domain is stored: lowercase, no port, no trailing dot (undefined for an IPv6 literal) */
export function hostName(hostHeader: string | undefined): string | undefined {
  if (!hostHeader) return undefined;
  let host = hostHeader.trim().toLowerCase();
  if (host.startsWith('[')) return undefined;
  const colon = host.lastIndexOf(':');
  if (colon !== -1) host = host.slice(0, colon);
  return host.endsWith('.') ? host.slice(0, -1) : host;
}

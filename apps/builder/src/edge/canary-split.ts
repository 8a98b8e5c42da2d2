// Which clients a canary gets. Each client draws a bucket 0..99 once per canary, kept in a cookie
// with the canary's id: it goes to the canary while its bucket is below the canary's percent. So a
// client stays on the release it got (sticky), and a step from 10 to 50 % moves exactly the
// clients with buckets 10..49, never back. A client without the cookie (or with another canary's)
// draws anew.
export const CANARY_COOKIE = 'flightdeck-canary';
const COOKIE_MAX_AGE_S = 24 * 3600;

const shortOf = (canaryId: string) => canaryId.slice(0, 8);

/** the bucket the client's cookie holds for this canary, if it holds one */
export function bucketFromCookie(cookieHeader: string | undefined, canaryId: string): number | undefined {
  if (!cookieHeader) return undefined;
  for (const part of cookieHeader.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== CANARY_COOKIE) continue;
    const m = /^([0-9a-f]{8})\.(\d{1,2})$/.exec(part.slice(eq + 1).trim());
    if (m && m[1] === shortOf(canaryId)) return Number(m[2]);
  }
  return undefined;
}

export interface CanaryChoice {
  toCanary: boolean;
  /** a Set-Cookie value for a client that drew its bucket now */
  setCookie?: string;
}

export function chooseRelease(cookieHeader: string | undefined, canaryId: string, percent: number, random: () => number = Math.random): CanaryChoice {
  const kept = bucketFromCookie(cookieHeader, canaryId);
  if (kept !== undefined) return { toCanary: kept < percent };
  const bucket = Math.min(99, Math.floor(random() * 100));
  return {
    toCanary: bucket < percent,
    setCookie: `${CANARY_COOKIE}=${shortOf(canaryId)}.${bucket}; Path=/; Max-Age=${COOKIE_MAX_AGE_S}; HttpOnly; SameSite=Lax`,
  };
}

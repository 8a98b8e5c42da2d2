import { bucketFromCookie, chooseRelease } from './canary-split';

const CANARY = 'abcdef01-2345-4678-9abc-def012345678';

describe('canary split', () => {
  it('sends a client without a cookie by a fresh draw, and gives it the cookie', () => {
    expect(chooseRelease(undefined, CANARY, 10, () => 0.05)).toEqual({ toCanary: true, setCookie: expect.stringMatching(/^flightdeck-canary=abcdef01\.5; Path=\//) });
    expect(chooseRelease('other=1', CANARY, 10, () => 0.5)).toMatchObject({ toCanary: false, setCookie: expect.stringContaining('abcdef01.50') });
  });

  it('keeps a client with the cookie where its bucket puts it, without a new cookie', () => {
    expect(chooseRelease('a=b; flightdeck-canary=abcdef01.7', CANARY, 10)).toEqual({ toCanary: true });
    expect(chooseRelease('flightdeck-canary=abcdef01.30', CANARY, 10)).toEqual({ toCanary: false });
    // the next step (50 %) takes bucket 30 too: nobody moves back
    expect(chooseRelease('flightdeck-canary=abcdef01.30', CANARY, 50)).toEqual({ toCanary: true });
  });

  it("draws anew for another canary's cookie or a malformed one", () => {
    expect(bucketFromCookie('flightdeck-canary=12345678.3', CANARY)).toBeUndefined();
    expect(bucketFromCookie('flightdeck-canary=abcdef01.x', CANARY)).toBeUndefined();
    expect(bucketFromCookie('flightdeck-canary=abcdef01.100', CANARY)).toBeUndefined();
  });

  it('splits about percent of fresh clients', () => {
    let n = 0;
    for (let i = 0; i < 10_000; i++) if (chooseRelease(undefined, CANARY, 10).toCanary) n++;
    expect(n).toBeGreaterThan(800);
    expect(n).toBeLessThan(1200);
  });
});

import { ErrorCode } from '@flightdeck/contracts';
import { refAllowed, refusedRef } from './allowed-refs';

describe('allowed refs', () => {
  it('allows any ref when no pattern is set', () => {
    expect(refAllowed(undefined, 'feature/x')).toBe(true);
    expect(refAllowed(null, 'feature/x')).toBe(true);
    expect(refAllowed([], 'feature/x')).toBe(true);
  });

  it('matches branch and tag globs by their short names', () => {
    const patterns = ['main', 'v*', 'release/**'];
    expect(refAllowed(patterns, 'main')).toBe(true);
    expect(refAllowed(patterns, 'refs/heads/main')).toBe(true);
    expect(refAllowed(patterns, 'v1.2.3')).toBe(true);
    expect(refAllowed(patterns, 'refs/tags/v2')).toBe(true);
    expect(refAllowed(patterns, 'release/2026/12')).toBe(true);
    expect(refAllowed(patterns, 'mainline')).toBe(false);
    expect(refAllowed(patterns, 'feature/v1')).toBe(false);
    expect(refAllowed(patterns, 'develop')).toBe(false);
    // `*` stays within one segment
    expect(refAllowed(['release/*'], 'release/a/b')).toBe(false);
  });

  it('refuses with deployment/ref-not-allowed naming the ref and the patterns', () => {
    const refused = refusedRef(['main', 'v*'], 'develop', 'production');
    expect(refused?.ok).toBe(false);
    if (refused && !refused.ok) {
      expect(refused.error.code).toBe(ErrorCode.DeploymentRefNotAllowed);
      expect(refused.error.message).toContain('develop');
      expect(refused.error.details).toEqual({ ref: 'develop', allowedRefs: ['main', 'v*'] });
    }
    expect(refusedRef(['main'], 'main', 'production')).toBeUndefined();
  });
});

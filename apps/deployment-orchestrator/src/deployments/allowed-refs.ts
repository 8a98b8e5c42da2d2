import { minimatch } from 'minimatch';
import { ErrorCode, type Result, err } from '@flightdeck/contracts';

// An environment's allowedRefs: the branches and tags a trigger may deploy from. Decided without
// the database, before anything is created.

// `refs/heads/main` and `refs/tags/v1` are matched by their short names, like `main` and `v1`.
const shortName = (ref: string) => ref.replace(/^refs\/(?:heads|tags)\//, '');

/** true when no pattern is set (any ref) or one pattern matches the ref's name */
export const refAllowed = (patterns: readonly string[] | null | undefined, ref: string): boolean =>
  !patterns?.length || patterns.some((p) => minimatch(shortName(ref), shortName(p), { dot: true, nonegate: true, nocomment: true }));

export const refusedRef = (patterns: readonly string[] | null | undefined, ref: string, environment: string): Result<never> | undefined =>
  refAllowed(patterns, ref)
    ? undefined
    : err(
        ErrorCode.DeploymentRefNotAllowed,
        `environment ${environment} deploys only from ${patterns!.join(', ')}; ${ref} matches none of them`,
        { ref, allowedRefs: [...patterns!] },
      );

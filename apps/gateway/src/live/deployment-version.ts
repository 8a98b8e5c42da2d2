import type { Deployment } from '@flightdeck/contracts';

// Status events and query answers race; a follower shows a deployment only if it is newer than
// what it showed last (updatedAt, and what a user sees changing within the same millisecond).
export const isNewer = (candidate: Deployment, current: Deployment): boolean => {
  if (candidate.updatedAt !== current.updatedAt) return Date.parse(candidate.updatedAt) > Date.parse(current.updatedAt);
  return candidate.status !== current.status || candidate.phase !== current.phase || candidate.progress !== current.progress;
};

/** the deployment's last log seq, recorded by the orchestrator from the build result */
export const recordedLastSeq = (d: Deployment): number | undefined => {
  const v = d.metadata.lastLogSeq;
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : undefined;
};

import type { PreflightReport, Result } from '@flightdeck/contracts';
import type { DeploymentEntity } from './deployment.entity';

export type PreflightOutcome =
  | { kind: 'fail'; message: string; record: Record<string, unknown> }
  | { kind: 'dispatch'; reason: string; record: Record<string, unknown> };

// Pure: what a pre-flight answer does to the deployment. Problems fail it, naming every key; an
// answer that did not come (environment-manager down or slow) lets it build with a warning: the
// builder's own variable look-up then decides, and a check that cannot run never holds a deploy.
export const preflightOutcome = (answer: Result<PreflightReport>, checkedAt: Date): PreflightOutcome => {
  if (!answer.ok) {
    const warning = `variables not checked: ${answer.error.code}: ${answer.error.message}`;
    return {
      kind: 'dispatch',
      reason: `pre-flight could not run (${warning}); build job dispatched`,
      record: { checkedAt: checkedAt.toISOString(), checked: false, problems: [], warnings: [warning] },
    };
  }
  const { problems, warnings, commit } = answer.data;
  const record = { checkedAt: checkedAt.toISOString(), checked: true, commit, problems, warnings };
  if (problems.length > 0) {
    const message = `${problems.length} variable${problems.length === 1 ? '' : 's'} to fix before a build: ${problems.map((p) => p.message).join('; ')}`;
    return { kind: 'fail', message, record };
  }
  const warned = warnings.length > 0 ? ` (with ${warnings.length} warning${warnings.length === 1 ? '' : 's'}: ${warnings.join('; ')})` : '';
  return { kind: 'dispatch', reason: `variables checked, no problem found${warned}; build job dispatched`, record };
};

// Whether a deployment's job waits for a pre-flight: an internal build that did not skip it and has
// not been checked yet (a rollback releases a checked artifact; a next attempt is the same deployment).
export const needsPreflight = (d: Pick<DeploymentEntity, 'provider' | 'deployJob' | 'metadata'>): boolean =>
  d.provider !== 'external' && d.deployJob?.kind === 'build' && d.metadata.skipValidation !== true && d.metadata.preflight === undefined;

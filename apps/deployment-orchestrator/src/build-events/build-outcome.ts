import { type Artifact, type BuildResult, type CommitInfo, ErrorCode } from '@flightdeck/contracts';

export interface OutcomeTarget {
  metadata: Record<string, unknown>;
  artifact: Artifact | null;
}

export interface BuildOutcome {
  to: 'succeeded' | 'failed' | 'canceled';
  reason: string;
  patch: {
    commitSha?: string;
    commitMessage?: string;
    commitAuthor?: string;
    metadata: Record<string, unknown>;
    url?: string | null;
    previewUrl?: string | null;
    artifact?: Artifact | null;
    errorCode?: string;
    errorMessage?: string;
  };
}

export const commitFields = (c: CommitInfo | undefined) =>
  c ? { commitSha: c.sha, commitMessage: c.message, commitAuthor: c.author } : {};

// What a builder's result (ours, or a team's own CI) makes of a deployment: its final status, the
// reason recorded with the transition, and the fields it sets. Pure: the service applies it.
export function buildOutcome(d: OutcomeTarget, r: BuildResult): BuildOutcome {
  const common = { ...commitFields(r.commit), metadata: { ...d.metadata, lastLogSeq: r.lastSeq, ...(r.summary ? { result: r.summary } : {}) } };
  switch (r.outcome) {
    case 'succeeded':
      return {
        to: 'succeeded',
        reason: 'builder: released',
        patch: { ...common, url: r.url ?? null, previewUrl: r.previewUrl ?? null, artifact: r.artifact ?? d.artifact },
      };
    case 'failed': {
      const f = r.failure;
      const failure = f ? { step: f.step ?? null, exitCode: f.exitCode ?? null, lastLines: f.lastLines ?? [] } : undefined;
      return {
        to: 'failed',
        reason: `builder: ${f?.code ?? 'failed'}${f?.step ? ` in step ${f.step}` : ''}`,
        patch: {
          ...common,
          metadata: { ...common.metadata, ...(failure ? { failure } : {}) },
          errorCode: f?.code ?? ErrorCode.DeploymentBuildFailed,
          errorMessage: f?.message ?? 'the build failed',
        },
      };
    }
    case 'canceled': {
      const why = typeof d.metadata.cancelReason === 'string' ? d.metadata.cancelReason : 'canceled by the builder';
      return {
        to: 'canceled',
        reason: 'builder: work stopped',
        // the builder's own reason (superseded by a newer commit) when it stopped by itself
        patch: { ...common, errorCode: ErrorCode.DeploymentCanceled, errorMessage: r.failure?.message ?? why },
      };
    }
  }
}

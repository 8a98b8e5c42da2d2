import type { BuildResult } from '@flightdeck/contracts';
import { buildOutcome } from './build-outcome';

const aResult = (over: Partial<BuildResult> = {}): BuildResult => ({
  deploymentId: '00000000-0000-4000-8000-000000000001',
  attempt: 1,
  outcome: 'succeeded',
  lastSeq: 42,
  at: '2026-01-01T00:00:00.000Z',
  ...over,
});
const artifact = { id: 'a1', sha256: 'f'.repeat(64), sizeBytes: 10, kind: 'static' as const };

describe('build outcome', () => {
  it('releases: URLs, the new artifact, the commit and the last log seq', () => {
    const o = buildOutcome(
      { metadata: { supersedes: 'x' }, artifact: null },
      aResult({ url: 'http://a', previewUrl: 'http://b', artifact, commit: { sha: 's', message: 'm', author: 'a' } }),
    );
    expect(o).toEqual({
      to: 'succeeded',
      reason: 'builder: released',
      patch: {
        commitSha: 's', commitMessage: 'm', commitAuthor: 'a',
        metadata: { supersedes: 'x', lastLogSeq: 42 },
        url: 'http://a', previewUrl: 'http://b', artifact,
      },
    });
  });

  it('keeps the artifact it had when a success brings none (a rollback)', () => {
    expect(buildOutcome({ metadata: {}, artifact }, aResult()).patch.artifact).toBe(artifact);
  });

  it('fails with the reported code, step and last lines', () => {
    const o = buildOutcome(
      { metadata: {}, artifact: null },
      aResult({ outcome: 'failed', failure: { code: 'deployment/build-failed', message: 'exit 1', step: 'build', exitCode: 1, lastLines: ['boom'] } }),
    );
    expect(o).toMatchObject({
      to: 'failed',
      reason: 'builder: deployment/build-failed in step build',
      patch: { errorCode: 'deployment/build-failed', errorMessage: 'exit 1', metadata: { lastLogSeq: 42, failure: { step: 'build', exitCode: 1, lastLines: ['boom'] } } },
    });
  });

  it('fails as a build failure when the builder says nothing more', () => {
    expect(buildOutcome({ metadata: {}, artifact: null }, aResult({ outcome: 'failed' }))).toMatchObject({
      reason: 'builder: failed',
      patch: { errorCode: 'deployment/build-failed', errorMessage: 'the build failed' },
    });
  });

  it('cancels with the reason the cancel was asked for', () => {
    expect(buildOutcome({ metadata: { cancelReason: 'superseded by d2' }, artifact: null }, aResult({ outcome: 'canceled' }))).toMatchObject({
      to: 'canceled',
      patch: { errorCode: 'deployment/canceled', errorMessage: 'superseded by d2' },
    });
    expect(buildOutcome({ metadata: {}, artifact: null }, aResult({ outcome: 'canceled' })).patch.errorMessage).toBe('canceled by the builder');
  });

  it("cancels with the builder's own reason when it stopped by itself (a newer commit is live)", () => {
    const failure = { code: 'deployment/canceled', step: 'deploy', message: 'commit aaa is older than bbb; superseded' } as const;
    expect(buildOutcome({ metadata: {}, artifact: null }, aResult({ outcome: 'canceled', failure })).patch).toMatchObject({
      errorCode: 'deployment/canceled',
      errorMessage: 'commit aaa is older than bbb; superseded',
    });
  });
});

import type { ProgressEntry } from '@flightdeck/contracts';
import { deploymentTimings } from './deployment-timings';

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();
const e = (s: number, status: ProgressEntry['status'], phase: ProgressEntry['phase']): ProgressEntry => ({
  at: at(s),
  fromStatus: null,
  status,
  phase,
  progress: 0,
  reason: null,
});

describe('deploymentTimings', () => {
  const finished = [
    e(0, 'created', 'queued'),
    e(0, 'queued', 'queued'),
    e(3, 'initializing', 'pulling_source'),
    e(5, 'building', 'building'),
    e(15, 'building', 'packaging'),
    e(17, 'deploying', 'releasing'),
    e(20, 'succeeded', 'active'),
  ];

  it('sums the time of each status and phase, the queue wait and the total of an ended deployment', () => {
    expect(deploymentTimings(finished, new Date(Date.parse(at(999))))).toEqual({
      queueWaitMs: 3_000,
      statusMs: { created: 0, queued: 3_000, initializing: 2_000, building: 12_000, deploying: 3_000 },
      phaseMs: { queued: 3_000, pulling_source: 2_000, building: 10_000, packaging: 2_000, releasing: 3_000 },
      totalMs: 20_000,
    });
  });

  it('counts the current phase of an active deployment up to now, with no total yet', () => {
    const t = deploymentTimings(finished.slice(0, 4), new Date(Date.parse(at(9))));
    expect(t.phaseMs.building).toBe(4_000);
    expect(t.totalMs).toBeNull();
  });

  it('has no queue wait while still queued, and nothing for no history', () => {
    expect(deploymentTimings(finished.slice(0, 2), new Date(Date.parse(at(1)))).queueWaitMs).toBeNull();
    expect(deploymentTimings([], new Date())).toEqual({ queueWaitMs: null, statusMs: {}, phaseMs: {}, totalMs: null });
  });
});

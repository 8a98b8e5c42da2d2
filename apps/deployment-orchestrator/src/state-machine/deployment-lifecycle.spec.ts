import { type DeploymentStatus, DeploymentStatus as Statuses, TERMINAL_STATUSES } from '@flightdeck/contracts';
import { ACTIVE_STATUSES, type LifecycleState, canMove, decideMove, enterStatus, mayShowPhase, takesSlot } from './deployment-lifecycle';

const ALL = Statuses.options;

const aState = (over: Partial<LifecycleState> = {}): LifecycleState => ({
  status: 'queued',
  phase: 'queued',
  progress: 0,
  createdAt: new Date('2025-01-01T00:00:00Z'),
  queuedAt: new Date('2025-01-01T00:00:00Z'),
  startedAt: null,
  finishedAt: null,
  durationMs: null,
  ...over,
});

describe('deployment lifecycle', () => {
  it('follows created → queued → initializing → building → deploying → succeeded', () => {
    const happy: DeploymentStatus[] = ['created', 'queued', 'initializing', 'building', 'deploying', 'succeeded'];
    for (let i = 0; i + 1 < happy.length; i++) expect(canMove(happy[i], happy[i + 1])).toBe(true);
  });

  it('lets every active deployment be canceled, fail or time out', () => {
    for (const from of ACTIVE_STATUSES) {
      for (const to of ['canceled', 'failed', 'timeout'] as const) expect(canMove(from, to)).toBe(true);
    }
  });

  it('never changes a terminal deployment', () => {
    for (const from of TERMINAL_STATUSES) {
      for (const to of ALL) {
        expect(canMove(from, to)).toBe(false);
        expect(decideMove(from, to)).toEqual({ ok: false, reason: `deployment is already ${from}` });
      }
    }
  });

  it('succeeds only from deploying', () => {
    for (const from of ALL) expect(canMove(from, 'succeeded')).toBe(from === 'deploying');
  });

  it('refuses to go back to an earlier stage', () => {
    expect(decideMove('building', 'initializing').ok).toBe(false);
    expect(decideMove('deploying', 'building').ok).toBe(false);
    expect(decideMove('queued', 'created').ok).toBe(false);
    expect(decideMove('building', 'queued')).toEqual({ ok: false, reason: 'a building deployment cannot become queued' });
  });

  it('refuses a move to the status it already has', () => {
    expect(decideMove('building', 'building').ok).toBe(false);
  });

  it('walks the stages a report skipped, so the history still follows the machine', () => {
    expect(decideMove('queued', 'succeeded')).toEqual({ ok: true, steps: ['initializing', 'deploying', 'succeeded'] });
    expect(decideMove('building', 'succeeded')).toEqual({ ok: true, steps: ['deploying', 'succeeded'] });
    expect(decideMove('queued', 'building')).toEqual({ ok: true, steps: ['initializing', 'building'] });
  });

  it('goes straight to failed, canceled or timeout without passing through other stages', () => {
    expect(decideMove('queued', 'failed')).toEqual({ ok: true, steps: ['failed'] });
    expect(decideMove('building', 'canceled')).toEqual({ ok: true, steps: ['canceled'] });
    expect(decideMove('created', 'timeout')).toEqual({ ok: true, steps: ['timeout'] });
  });

  it('lets a rollback release without building', () => {
    expect(decideMove('initializing', 'deploying')).toEqual({ ok: true, steps: ['deploying'] });
  });
});

describe('entering a status', () => {
  const t0 = new Date('2025-01-01T00:00:00Z');
  const later = (ms: number) => new Date(t0.getTime() + ms);

  it('stamps the queue time once', () => {
    const s = enterStatus(aState({ status: 'created', queuedAt: null, createdAt: t0 }), 'queued', later(5));
    expect(s).toMatchObject({ status: 'queued', queuedAt: later(5), phase: 'queued', progress: 0 });
  });

  it('stamps the start on the first running stage and keeps it after', () => {
    const init = enterStatus(aState(), 'initializing', later(1_000));
    const build = enterStatus(init, 'building', later(2_000));
    expect(build.startedAt).toEqual(later(1_000));
  });

  it('measures the duration from the start, or from creation when it never started', () => {
    const ran = enterStatus(aState({ status: 'deploying', startedAt: later(1_000) }), 'succeeded', later(61_000));
    expect(ran).toMatchObject({ finishedAt: later(61_000), durationMs: 60_000, phase: 'active', progress: 100 });
    const never = enterStatus(aState({ createdAt: t0 }), 'canceled', later(3_000));
    expect(never).toMatchObject({ finishedAt: later(3_000), durationMs: 3_000, phase: 'queued' });
  });

  it('marks the phase failed on failure and timeout', () => {
    expect(enterStatus(aState({ status: 'building', phase: 'building' }), 'failed', later(1)).phase).toBe('failed');
    expect(enterStatus(aState({ status: 'building', phase: 'building' }), 'timeout', later(1)).phase).toBe('failed');
  });

  it('keeps a reported phase while running', () => {
    expect(enterStatus(aState({ status: 'initializing', phase: 'pulling_source' }), 'building', later(1)).phase).toBe('pulling_source');
  });
});

describe('the pre-flight phase', () => {
  it('is a queued deployment\'s only', () => {
    expect(mayShowPhase('queued', 'validating')).toBe(true);
    for (const s of ['created', 'initializing', 'building', 'deploying', 'succeeded', 'failed'] as const) expect(mayShowPhase(s, 'validating')).toBe(false);
  });
  it('ends in failed or canceled, or the deployment goes on', () => {
    expect(canMove('queued', 'failed')).toBe(true);
    expect(canMove('queued', 'canceled')).toBe(true);
    expect(canMove('queued', 'initializing')).toBe(true);
  });
});

describe('the phases of a deployment held by a protection rule', () => {
  it('are a queued deployment\'s only, and take no slot', () => {
    for (const phase of ['awaiting_approval', 'waiting_timer', 'frozen'] as const) {
      expect(mayShowPhase('queued', phase)).toBe(true);
      expect(mayShowPhase('building', phase)).toBe(false);
      expect(takesSlot(phase)).toBe(false);
    }
    expect(takesSlot('waiting')).toBe(false);
    expect(takesSlot('queued')).toBe(true);
    expect(takesSlot('validating')).toBe(true);
  });
});

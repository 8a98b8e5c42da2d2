import { ErrorCode } from '@flightdeck/contracts';
import { type PauseRow, pauseVerdict } from './environment-pause';

const pause: PauseRow = {
  environmentId: '00000000-0000-4000-8000-000000000001',
  projectId: '00000000-0000-4000-8000-000000000002',
  rollbackDeploymentId: '00000000-0000-4000-8000-000000000003',
  pausedBy: 'ops',
  pausedAt: new Date('2026-12-02T05:00:00Z'),
};

describe('pause after rollback', () => {
  it('lets everything through when not paused', () => {
    expect(pauseVerdict(undefined, 'webhook', false, 'production')).toEqual({ ok: true, data: {} });
  });

  it('refuses webhooks and schedules while paused, even forced', () => {
    for (const trigger of ['webhook', 'schedule'] as const) {
      for (const force of [false, true]) {
        const v = pauseVerdict(pause, trigger, force, 'production');
        expect(!v.ok && v.error.code).toBe(ErrorCode.EnvironmentPaused);
        expect(!v.ok && v.error.details).toMatchObject({ rollbackDeploymentId: pause.rollbackDeploymentId, since: '2026-12-02T05:00:00.000Z', trigger });
      }
    }
  });

  it('refuses a manual trigger unless forced, and says which pause a forced one overrides', () => {
    const refused = pauseVerdict(pause, 'api', false, 'production');
    expect(!refused.ok && refused.error.message).toContain('force');
    expect(pauseVerdict(pause, 'cli', true, 'production')).toEqual({ ok: true, data: { overridden: pause } });
  });
});

import { verify } from '@octokit/webhooks-methods';
import type { DeploymentStatusChanged } from '@flightdeck/contracts';
import { backoffMs, hookEventsOf, signHookBody } from './hook-events';

const event = (from: string | null, to: string, rollbackTargetId: string | null = null) =>
  ({ deployment: { rollbackTargetId }, transition: { from, to } }) as unknown as DeploymentStatusChanged;

describe('hook events', () => {
  it('names each status change', () => {
    expect(hookEventsOf(event(null, 'queued'))).toEqual(['deployment.created']);
    expect(hookEventsOf(event('queued', 'initializing'))).toEqual(['deployment.started']);
    expect(hookEventsOf(event('initializing', 'building'))).toEqual(['deployment.progress']);
    expect(hookEventsOf(event('building', 'building'))).toEqual(['deployment.progress']);
    expect(hookEventsOf(event('deploying', 'succeeded'))).toEqual(['deployment.succeeded']);
    expect(hookEventsOf(event('deploying', 'succeeded', '00000000-0000-4000-8000-000000000000'))).toEqual(['deployment.succeeded', 'deployment.rolled_back']);
    expect(hookEventsOf(event('building', 'timeout'))).toEqual(['deployment.failed']);
    expect(hookEventsOf(event('queued', 'canceled'))).toEqual(['deployment.canceled']);
  });

  it('names approvals: requested when a deployment starts awaiting one, decided with each decision', () => {
    const held = (from: string | null, phase: string, approval?: object) =>
      ({ deployment: { rollbackTargetId: null }, transition: { from, to: 'queued', phase, ...(approval ? { approval } : {}) } }) as unknown as DeploymentStatusChanged;
    expect(hookEventsOf(held(null, 'awaiting_approval'))).toEqual(['deployment.created']);
    expect(hookEventsOf(held('created', 'awaiting_approval'))).toEqual(['deployment.progress', 'approval.requested']);
    const decision = { decision: 'approved', by: 'u', comment: null, given: 1, required: 2 };
    expect(hookEventsOf(held('queued', 'awaiting_approval', decision))).toEqual(['deployment.progress', 'approval.decided']);
    expect(hookEventsOf(held('created', 'waiting_timer'))).toEqual(['deployment.progress']);
  });

  it('signs as GitHub does: verifiable with @octokit/webhooks-methods', async () => {
    const body = JSON.stringify({ version: 1, event: 'deployment.created' });
    const signature = signHookBody('s3cret', body);
    expect(signature).toMatch(/^sha256=[0-9a-f]{64}$/);
    await expect(verify('s3cret', body, signature)).resolves.toBe(true);
    await expect(verify('other', body, signature)).resolves.toBe(false);
  });

  it('backs off exponentially', () => {
    expect([1, 2, 3, 4].map((n) => backoffMs(n, 100))).toEqual([100, 200, 400, 800]);
  });
});

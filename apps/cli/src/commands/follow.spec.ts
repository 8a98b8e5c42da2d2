import { PassThrough } from 'node:stream';
import type { Deployment } from '@flightdeck/contracts';
import type { FlightdeckApi } from '../api';
import type { Context } from '../context';
import { ExitCode } from '../exit-codes';
import { Output } from '../output';
import { followDeployment } from './follow';

const at = new Date(0).toISOString();
const aDeployment = (over: Partial<Deployment>): Deployment => ({
  id: '00000000-0000-4000-8000-00000000000d',
  projectId: '00000000-0000-4000-8000-00000000000a',
  environmentId: '00000000-0000-4000-8000-00000000000e',
  sourceRef: 'main',
  commitSha: null,
  commitMessage: null,
  commitAuthor: null,
  message: null,
  triggeredBy: 'dev',
  trigger: 'cli',
  status: 'queued',
  phase: 'queued',
  progress: 0,
  attempt: 1,
  parentDeploymentId: null,
  rollbackTargetId: null,
  artifact: null,
  url: null,
  previewUrl: null,
  errorCode: null,
  errorMessage: null,
  metadata: {},
  createdAt: at,
  updatedAt: at,
  startedAt: null,
  finishedAt: null,
  durationMs: null,
  ...over,
});

describe('following a deployment held by a protection rule', () => {
  it('says what it waits for and how to approve it, then follows it to its end', async () => {
    const stdout = Object.assign(new PassThrough(), { isTTY: false });
    let text = '';
    stdout.on('data', (b) => (text += b));
    const ctx = { out: new Output({ stdout, stderr: new PassThrough(), stdin: new PassThrough() }, false, {}) } as unknown as Context;
    const held = aDeployment({ phase: 'awaiting_approval', metadata: { protection: { waitingFor: '2 more approvals (0 of 2) from a member with role admin or higher' } } });
    const api = {
      follow: async (_id: string, _after: number, h: { status(d: Deployment): void }) => {
        h.status(aDeployment({ phase: 'waiting_timer', metadata: { protection: { waitingFor: 'the wait timer of 5 min, until 2026-12-02T10:05:00.000Z' } } }));
        h.status(aDeployment({ status: 'building', phase: 'building', progress: 40 }));
        return { ok: true as const, data: aDeployment({ status: 'succeeded', phase: 'active', url: 'http://app.localhost' }) };
      },
    } as unknown as FlightdeckApi;
    expect(await followDeployment(ctx, api, held)).toBe(ExitCode.Success);
    expect(text.split('\n').slice(0, 4)).toEqual([
      `held: waiting for 2 more approvals (0 of 2) from a member with role admin or higher (flightdeck approve ${held.id})`,
      '--> queued/waiting_timer',
      'held: waiting for the wait timer of 5 min, until 2026-12-02T10:05:00.000Z',
      '--> building 40%',
    ]);
  });
});

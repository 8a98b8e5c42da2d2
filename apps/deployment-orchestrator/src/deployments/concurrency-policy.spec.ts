import { ConcurrencyPolicy, MAX_QUEUED } from '@flightdeck/contracts';
import { decideTrigger } from './concurrency-policy';

const idle = { running: false, waiting: 0 };
const running = { running: true, waiting: 0 };
const runningAndWaiting = { running: true, waiting: 3 };

describe('concurrency policy', () => {
  it.each(ConcurrencyPolicy.options)('%s starts at once in an idle environment, forced or not', (policy) => {
    expect(decideTrigger(policy, idle, false)).toEqual({ kind: 'start', cancel: { running: false, waiting: false } });
    expect(decideTrigger(policy, idle, true)).toEqual({ kind: 'start', cancel: { running: false, waiting: false } });
  });

  it.each(ConcurrencyPolicy.options)('%s gives way to a forced trigger: everything in progress is canceled', (policy) => {
    expect(decideTrigger(policy, runningAndWaiting, true)).toEqual({ kind: 'start', cancel: { running: true, waiting: true } });
  });

  it('reject refuses while anything is in progress', () => {
    expect(decideTrigger('reject', running, false)).toEqual({ kind: 'reject' });
    expect(decideTrigger('reject', { running: false, waiting: 1 }, false)).toEqual({ kind: 'reject' });
  });

  it('queue waits behind the running one and the waiting ones, up to the bound', () => {
    expect(decideTrigger('queue', running, false)).toEqual({ kind: 'wait', cancel: { running: false, waiting: false } });
    expect(decideTrigger('queue', { running: true, waiting: MAX_QUEUED - 1 }, false).kind).toBe('wait');
    expect(decideTrigger('queue', { running: true, waiting: MAX_QUEUED }, false)).toEqual({ kind: 'queue-full' });
    // between a deployment's end and the start of the next, a newcomer still queues behind the older ones
    expect(decideTrigger('queue', { running: false, waiting: 2 }, false).kind).toBe('wait');
  });

  it('supersede keeps the running one and replaces the waiting one', () => {
    expect(decideTrigger('supersede', running, false)).toEqual({ kind: 'wait', cancel: { running: false, waiting: false } });
    expect(decideTrigger('supersede', runningAndWaiting, false)).toEqual({ kind: 'wait', cancel: { running: false, waiting: true } });
  });

  it('cancel-in-progress starts the newest and cancels the rest', () => {
    expect(decideTrigger('cancel-in-progress', running, false)).toEqual({ kind: 'start', cancel: { running: true, waiting: false } });
    expect(decideTrigger('cancel-in-progress', runningAndWaiting, false)).toEqual({ kind: 'start', cancel: { running: true, waiting: true } });
  });
});

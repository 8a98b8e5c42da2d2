import { eventually, sleep } from '@flightdeck/testing';
import { ConnectionFlow } from './connection-flow';

const settings = { maxBacklogBytes: 1_000, stalledDisconnectMs: 200, pollMs: 5 };

describe('connection flow', () => {
  it('is ready while the backlog is within the bound', () => {
    let backlog = 1_000;
    const flow = new ConnectionFlow(() => backlog, settings, () => undefined);
    expect(flow.ready()).toBe(true);
    backlog = 1_001;
    expect(flow.ready()).toBe(false);
    flow.close();
  });

  it('wakes the waiting followers once the backlog is down to half, not before', async () => {
    let backlog = 5_000;
    const flow = new ConnectionFlow(() => backlog, settings, () => undefined);
    expect(flow.ready()).toBe(false);
    let woken = 0;
    flow.whenReady(() => woken++);
    flow.whenReady(() => woken++);
    backlog = 800;
    await sleep(30);
    expect([woken, flow.ready()]).toEqual([0, false]);
    backlog = 500;
    await eventually('the waiting followers to be woken', () => woken === 2, { timeoutMs: 5_000, intervalMs: 5 });
    expect(flow.ready()).toBe(true);
    flow.close();
  });

  it('gives up a connection that stays full, once, and wakes no one after', async () => {
    const backlog = 5_000;
    let stalled = 0;
    let woken = 0;
    const flow = new ConnectionFlow(() => backlog, settings, () => stalled++);
    flow.whenReady(() => woken++);
    await eventually('the connection to be given up', () => stalled === 1, { timeoutMs: 5_000, intervalMs: 10 });
    // a few more polls: given up once, and no one woken
    await sleep(50);
    expect([stalled, woken, flow.ready()]).toEqual([1, 0, false]);
  });
});

import { DEFAULT_SUPERVISION, decideAfterExit, exitsInWindow, restartDelay } from './supervision';

const policy = {
  ...DEFAULT_SUPERVISION,
  baseDelayMs: 250,
  maxDelayMs: 4_000,
  crashLoopExits: 5,
  crashLoopWindowMs: 60_000,
};
const T = 1_000_000;

describe('restart backoff', () => {
  it('doubles the pause with each recent exit, from the base', () => {
    expect([1, 2, 3, 4].map((n) => restartDelay(n, policy))).toEqual([250, 500, 1_000, 2_000]);
  });

  it('never waits longer than the cap', () => {
    expect(restartDelay(6, policy)).toBe(4_000);
    expect(restartDelay(60, policy)).toBe(4_000);
  });

  it('restarts a first exit after the base pause', () => {
    expect(decideAfterExit([T], T, policy)).toEqual({ action: 'restart', delayMs: 250, recentExits: 1 });
  });

  it('starts from the base again once earlier exits have left the window', () => {
    const exits = [T, T + 1_000, T + 2_000, T + 70_000];
    expect(decideAfterExit(exits, T + 70_000, policy)).toEqual({
      action: 'restart',
      delayMs: 250,
      recentExits: 1,
    });
  });
});

describe('crash loop', () => {
  it('gives up at the fifth exit within a minute', () => {
    const exits = [T, T + 5_000, T + 10_000, T + 20_000, T + 59_000];
    expect(decideAfterExit(exits.slice(0, 4), T + 20_000, policy)).toEqual({
      action: 'restart',
      delayMs: 2_000,
      recentExits: 4,
    });
    expect(decideAfterExit(exits, T + 59_000, policy)).toEqual({ action: 'give-up', recentExits: 5 });
  });

  it('is not five exits spread over more than a minute', () => {
    const exits = [T, T + 20_000, T + 40_000, T + 55_000, T + 61_000];
    expect(decideAfterExit(exits, T + 61_000, policy)).toMatchObject({ action: 'restart', recentExits: 4 });
  });

  it('counts only the exits inside the window ending now', () => {
    expect(exitsInWindow([T - 60_000, T - 59_999, T], T, policy)).toEqual([T - 59_999, T]);
  });
});

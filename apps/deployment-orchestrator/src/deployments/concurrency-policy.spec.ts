import { decideTrigger } from './concurrency-policy';

describe('concurrency policy', () => {
  it('creates in a free environment, forced or not', () => {
    expect(decideTrigger(false, false)).toBe('create');
    expect(decideTrigger(false, true)).toBe('create');
  });
  it('rejects a second deployment unless forced, and then supersedes the active one', () => {
    expect(decideTrigger(true, false)).toBe('reject');
    expect(decideTrigger(true, true)).toBe('supersede');
  });
});

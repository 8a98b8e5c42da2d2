import { ReadCache } from './read-cache';

describe('ReadCache', () => {
  let now = 0;
  const cache = () => new ReadCache({ ttlMs: 30_000, now: () => now });
  beforeEach(() => (now = 1_000));

  it('answers within the TTL and forgets after it', () => {
    const c = cache();
    c.set('deployment:d1', { id: 'd1' }, { deploymentId: 'd1' });
    now += 29_999;
    expect(c.get('deployment:d1')).toEqual({ id: 'd1' });
    now += 1;
    expect(c.get('deployment:d1')).toBeUndefined();
  });
  it("a status event drops that deployment and its project's list pages, nothing else", () => {
    const c = cache();
    c.set('deployment:d1', 1, { deploymentId: 'd1' });
    c.set('deployment:d2', 2, { deploymentId: 'd2' });
    c.set('deployments:p1:a', 3, { projectId: 'p1' });
    c.set('deployments:p1:b', 4, { projectId: 'p1' });
    c.set('deployments:p2:a', 5, { projectId: 'p2' });
    c.invalidateDeployment('d1', 'p1');
    expect(
      ['deployment:d1', 'deployment:d2', 'deployments:p1:a', 'deployments:p1:b', 'deployments:p2:a'].map(
        (k) => c.get(k),
      ),
    ).toEqual([undefined, 2, undefined, undefined, 5]);
  });
  it("a new deployment drops its project's list pages only", () => {
    const c = cache();
    c.set('deployment:d1', 1, { deploymentId: 'd1' });
    c.set('deployments:p1:a', 3, { projectId: 'p1' });
    c.invalidateProject('p1');
    expect(c.get('deployment:d1')).toBe(1);
    expect(c.get('deployments:p1:a')).toBeUndefined();
  });
});

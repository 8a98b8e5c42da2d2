import { isTransientJetStreamError, withJetStreamRetry } from './jetstream-retry';

describe('withJetStreamRetry', () => {
  it('retries a call that timed out or found no peers yet, until it answers', async () => {
    const errors = [Object.assign(new Error('TIMEOUT'), { code: 'TIMEOUT' }), new Error('no suitable peers for placement')];
    let calls = 0;
    const result = await withJetStreamRetry('probe', async () => {
      calls++;
      const e = errors.shift();
      if (e) throw e;
      return 'created';
    });
    expect([result, calls]).toEqual(['created', 3]);
  });

  it('does not retry a refusal that will not change (replicas on a single server)', async () => {
    let calls = 0;
    const refused = new Error('replicas > 1 not supported in non-clustered mode');
    await expect(
      withJetStreamRetry('probe', async () => {
        calls++;
        throw refused;
      }),
    ).rejects.toBe(refused);
    expect(calls).toBe(1);
    expect(isTransientJetStreamError(refused)).toBe(false);
  });

  it('gives up after its time budget with the last error', async () => {
    const timeout = Object.assign(new Error('TIMEOUT'), { code: 'TIMEOUT' });
    await expect(withJetStreamRetry('probe', () => Promise.reject(timeout), 600)).rejects.toBe(timeout);
  });
});

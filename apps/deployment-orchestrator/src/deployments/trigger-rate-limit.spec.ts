import { rateVerdict } from './trigger-rate-limit';

describe('rateVerdict', () => {
  it('allows up to the limit within a minute', () => {
    expect(rateVerdict([], 10).allowed).toBe(true);
    expect(rateVerdict(Array(9).fill(5), 10).allowed).toBe(true);
  });

  it('refuses the next one, until the oldest trigger leaves the minute', () => {
    const ages = [50.2, 40, 30, 20, 10, 5, 4, 3, 2, 1];
    expect(rateVerdict(ages, 10)).toEqual({ allowed: false, retryAfterSeconds: 10 });
  });

  it('never says to retry in less than a second', () => {
    expect(rateVerdict([59.99, ...Array(9).fill(1)], 10).retryAfterSeconds).toBe(1);
  });
});

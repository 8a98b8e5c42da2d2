import { detectVariables } from '../detection/detect-variables';
import type { StoredValue } from '../validation/environment-values.service';
import { preflightProblems } from './preflight-problems';

const detected = (dependencies: Record<string, string>) =>
  detectVariables({ packageJson: JSON.stringify({ name: 'app', dependencies }), envExamples: [] }).variables;
const stored = (entries: Record<string, string>) =>
  new Map<string, StoredValue>(Object.entries(entries).map(([k, value]) => [k, { value, sensitive: false }]));

describe('preflight problems', () => {
  const needs = detected({ '@prisma/client': '^5', ioredis: '^5', 'next-auth': '^4' });

  it('names every missing required variable and every invalid value at once, by key', () => {
    const problems = preflightProblems(needs, stored({ NEXTAUTH_SECRET: 'x'.repeat(40), NEXTAUTH_URL: 'localhost:3000' }), []);
    expect(problems.map((p) => [p.key, p.kind])).toEqual([
      ['DATABASE_URL', 'missing'],
      ['NEXTAUTH_URL', 'invalid'],
      ['REDIS_URL', 'missing'],
    ]);
    expect(problems.find((p) => p.key === 'DATABASE_URL')!.message).toContain('dependency @prisma/client');
    expect(problems.find((p) => p.key === 'NEXTAUTH_URL')!.message).toMatch(/^NEXTAUTH_URL /);
  });

  it('never shows a value in a message', () => {
    const problems = preflightProblems(needs, stored({ NEXTAUTH_URL: 'ftp://sekr3t-host' }), []);
    expect(JSON.stringify(problems)).not.toContain('sekr3t');
  });

  it('checks a stored value with a known rule even when nothing was detected (the repository was not read)', () => {
    const problems = preflightProblems([], stored({ DATABASE_URL: 'mysql://db/app', GREETING: 'hello' }), []);
    expect(problems).toEqual([expect.objectContaining({ key: 'DATABASE_URL', kind: 'invalid' })]);
  });

  it('reports a value that does not decrypt as invalid, not as missing', () => {
    const problems = preflightProblems(needs, stored({ DATABASE_URL: 'postgres://u:p@db/app', REDIS_URL: 'redis://cache:6379', NEXTAUTH_SECRET: 'x'.repeat(40), NEXTAUTH_URL: 'https://app.example.com' }), []);
    expect(problems).toEqual([]);
    const broken = preflightProblems(needs, stored({ DATABASE_URL: 'postgres://u:p@db/app', REDIS_URL: 'redis://cache:6379', NEXTAUTH_URL: 'https://app.example.com' }), ['NEXTAUTH_SECRET']);
    expect(broken).toEqual([expect.objectContaining({ key: 'NEXTAUTH_SECRET', kind: 'invalid', message: expect.stringContaining('decrypt') })]);
  });
});

import { isBuildWarning, parseTestSummary } from './test-summary';

describe('test runner summaries', () => {
  it('reads jest', () => {
    expect(parseTestSummary(['Test Suites: 1 failed, 2 passed, 3 total', 'Tests:       1 failed, 2 skipped, 5 passed, 8 total', 'Snapshots:   0 total'])).toEqual({
      runner: 'jest',
      passed: 5,
      failed: 1,
      skipped: 2,
    });
    expect(parseTestSummary(['Tests:       12 passed, 12 total'])).toEqual({ runner: 'jest', passed: 12, failed: 0, skipped: 0 });
  });

  it('reads vitest, colours and all', () => {
    expect(parseTestSummary([' Test Files  1 failed | 1 passed (2)', '      \u001b[2mTests\u001b[22m  \u001b[1m\u001b[31m1 failed\u001b[39m | \u001b[32m4 passed\u001b[39m | 1 skipped (6)'])).toEqual({
      runner: 'vitest',
      passed: 4,
      failed: 1,
      skipped: 1,
    });
  });

  it('reads mocha', () => {
    expect(parseTestSummary(['', '  7 passing (31ms)', '  1 pending', '  2 failing', '', '  1) adds'])).toEqual({ runner: 'mocha', passed: 7, failed: 2, skipped: 1 });
  });

  it("reads node's test runner, spec and tap", () => {
    expect(parseTestSummary(['ℹ tests 4', 'ℹ suites 0', 'ℹ pass 3', 'ℹ fail 1', 'ℹ cancelled 0', 'ℹ skipped 0', 'ℹ todo 0'])).toEqual({ runner: 'node', passed: 3, failed: 1, skipped: 0 });
    expect(parseTestSummary(['# tests 2', '# pass 2', '# fail 0'])).toEqual({ runner: 'node', passed: 2, failed: 0, skipped: 0 });
  });

  it('finds nothing in output without a summary', () => {
    expect(parseTestSummary(['all good', 'Done in 2s'])).toBeUndefined();
  });
});

describe('build warnings', () => {
  it.each([
    'npm warn deprecated inflight@1.0.6: This module is not supported, and leaks memory.',
    'npm WARN deprecated rimraf@3.0.2: Rimraf versions prior to v4 are no longer supported',
    'npm warn ERESOLVE overriding peer dependency',
    ' WARN  deprecated @babel/plugin-proposal-class-properties@7.18.6',
    'warning " > react-dom@18.2.0" has unmet peer dependency "react@^18.2.0".',
  ])('notes %p', (line) => expect(isBuildWarning(line)).toBe(true));

  it.each(['added 120 packages in 3s', 'warnings: 0', 'vite v5.4.2 building for production...'])('ignores %p', (line) => expect(isBuildWarning(line)).toBe(false));
});

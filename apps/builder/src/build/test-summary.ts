import type { TestCounts } from '@flightdeck/contracts';

const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g;
const num = (m: RegExpMatchArray | null | undefined, fallback = 0) => (m ? Number(m[1]) : fallback);

// The counts a test runner prints in its summary, read from its output lines (the last summary
// wins: a watch or a retry prints several). Undefined when no known summary is there.
export function parseTestSummary(lines: readonly string[]): TestCounts | undefined {
  let found: TestCounts | undefined;
  const text = lines.map((l) => l.replace(ANSI, ''));
  let node: Partial<Record<'pass' | 'fail' | 'skipped' | 'todo', number>> | undefined;
  let mocha: Partial<Record<'passing' | 'failing' | 'pending', number>> | undefined;
  for (const line of text) {
    // jest: "Tests:       1 failed, 2 skipped, 5 passed, 8 total"
    const jest = /^\s*Tests:\s+(.*\d+ total)\s*$/.exec(line);
    if (jest) {
      const part = (w: string) => num(new RegExp(`(\\d+) ${w}`).exec(jest[1]));
      found = { runner: 'jest', passed: part('passed'), failed: part('failed'), skipped: part('skipped') + part('todo') };
      continue;
    }
    // vitest: " Tests  1 failed | 5 passed | 2 skipped (8)"
    const vitest = /^\s*Tests\s+(.*)\(\d+\)\s*$/.exec(line);
    if (vitest && /\d+ (passed|failed)/.test(vitest[1])) {
      const part = (w: string) => num(new RegExp(`(\\d+) ${w}`).exec(vitest[1]));
      found = { runner: 'vitest', passed: part('passed'), failed: part('failed'), skipped: part('skipped') + part('todo') };
      continue;
    }
    // node --test: "ℹ pass 5" (spec reporter) or "# pass 5" (tap)
    const nodeLine = /^\s*(?:ℹ|#)\s+(pass|fail|skipped|todo)\s+(\d+)\s*$/.exec(line);
    if (nodeLine) {
      node = { ...node, [nodeLine[1]]: Number(nodeLine[2]) };
      found = { runner: 'node', passed: node.pass ?? 0, failed: node.fail ?? 0, skipped: (node.skipped ?? 0) + (node.todo ?? 0) };
      continue;
    }
    // mocha: "  5 passing (12ms)", "  1 failing", "  2 pending"
    const mochaLine = /^\s*(\d+) (passing|failing|pending)\b/.exec(line);
    if (mochaLine) {
      mocha = { ...(mochaLine[2] === 'passing' ? {} : mocha), [mochaLine[2]]: Number(mochaLine[1]) };
      found = { runner: 'mocha', passed: mocha.passing ?? 0, failed: mocha.failing ?? 0, skipped: mocha.pending ?? 0 };
    }
  }
  return found;
}

// Lines of an install or build worth a user's attention though the step passed.
const WARNING = [
  /\bnpm (warn|WARN) deprecated\b/,
  /\bnpm (warn|WARN) (ERESOLVE|peer|overriding peer)/,
  /\bWARN\b.*\b(deprecated|peer)/i,
  /^warning .*(deprecated|peer|incorrect peer|unmet peer)/i,
  /\bunmet peer dependenc/i,
];
export const isBuildWarning = (line: string) => WARNING.some((re) => re.test(line.replace(ANSI, '')));

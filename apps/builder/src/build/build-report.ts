import type { BuildSummary, LogLine } from '@flightdeck/contracts';
import type { BuildLog } from '../logs/build-log';
import { isBuildWarning, parseTestSummary } from './test-summary';

const MAX_WARNINGS = 50;
const TEST_LINES_KEPT = 2_000;

type Timed = 'installTimeMs' | 'buildTimeMs' | 'testTimeMs' | 'packageTimeMs';

// What a build measured and noticed, as far as it got: its result carries it, also a failed one.
export class BuildReport {
  private readonly s: BuildSummary = {
    installTimeMs: null,
    buildTimeMs: null,
    testTimeMs: null,
    packageTimeMs: null,
    buildSizeBytes: null,
    framework: null,
    warnings: [],
    warningCount: 0,
    tests: null,
  };
  private testLines?: string[];

  constructor(log: BuildLog) {
    log.onLine((l) => this.see(l));
  }

  private see(l: LogLine): void {
    if (l.source !== 'build') return;
    if (this.testLines) {
      this.testLines.push(l.message);
      if (this.testLines.length > TEST_LINES_KEPT) this.testLines.shift();
      return;
    }
    if ((l.step === 'install' || l.step === 'build') && isBuildWarning(l.message)) {
      this.s.warningCount += 1;
      if (this.s.warnings.length < MAX_WARNINGS) this.s.warnings.push({ step: l.step, seq: l.seq, message: l.message.slice(0, 1000) });
    }
  }

  /** runs fn and keeps how long it took, also when it throws */
  async time<T>(what: Timed, fn: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await fn();
    } finally {
      this.s[what] = Math.round(performance.now() - started);
    }
  }

  /** the output of fn's commands is a test run: its runner's summary gives the counts */
  async tests<T>(fn: () => Promise<T>): Promise<T> {
    this.testLines = [];
    try {
      return await this.time('testTimeMs', fn);
    } finally {
      this.s.tests = parseTestSummary(this.testLines) ?? null;
      this.testLines = undefined;
    }
  }

  set(fields: Partial<Pick<BuildSummary, 'framework' | 'buildSizeBytes'>>): void {
    Object.assign(this.s, fields);
  }

  get testCounts(): BuildSummary['tests'] {
    return this.s.tests;
  }

  /** `storedSeq`: where the log's publisher stored a line the build numbered (another writer may have moved it) */
  summary(storedSeq: (seq: number) => number = (seq) => seq): BuildSummary {
    return { ...this.s, warnings: this.s.warnings.map((w) => ({ ...w, seq: storedSeq(w.seq) })) };
  }
}

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

// One figure of a benchmark run, as written to bench/results/<scenario>.json. `baseline` names the
// figure it is compared with ("<scenario>/<figure>", itself for a raw baseline) and `ratio` is
// value / baselineValue: for a rate, 0.5 means half the throughput of the baseline.
export interface BenchResult {
  scenario: string;
  figure: string;
  unit: string;
  value: number;
  baseline: string;
  baselineValue: number;
  ratio: number;
  /** how the figure was taken, when that matters for reading it (e.g. which limits were lifted) */
  note?: string;
}

// What a scenario measures; without `baseline` the figure is its own baseline.
export interface Measurement {
  figure: string;
  unit: string;
  value: number;
  /** "<scenario>/<figure>" of a figure measured by this run or stored in bench/results */
  baseline?: string;
  note?: string;
}

export const RESULTS_DIR = join(__dirname, 'results');

export const figureKey = (scenario: string, figure: string) => `${scenario}/${figure}`;

const resultsFile = (dir: string, scenario: string) => join(dir, `${scenario}.json`);

export function readResults(scenario: string, dir = RESULTS_DIR): BenchResult[] | undefined {
  const file = resultsFile(dir, scenario);
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as BenchResult[];
}

export function writeResults(scenario: string, results: BenchResult[], dir = RESULTS_DIR): string {
  mkdirSync(dir, { recursive: true });
  const file = resultsFile(dir, scenario);
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  return file;
}

const round = (n: number, digits: number) => Number(n.toFixed(digits));

// Baseline values: figures of this run first, then those stored by an earlier run.
export class BaselineBook {
  private readonly measured = new Map<string, number>();

  constructor(private readonly dir = RESULTS_DIR) {}

  record(results: BenchResult[]): void {
    for (const r of results) this.measured.set(figureKey(r.scenario, r.figure), r.value);
  }

  valueOf(key: string): number | undefined {
    const now = this.measured.get(key);
    if (now !== undefined) return now;
    const slash = key.lastIndexOf('/');
    return readResults(key.slice(0, slash), this.dir)?.find((r) => r.figure === key.slice(slash + 1))?.value;
  }

  toResults(scenario: string, measurements: Measurement[]): BenchResult[] {
    const own = new Map(measurements.map((m) => [figureKey(scenario, m.figure), m.value]));
    return measurements.map((m) => {
      const baseline = m.baseline ?? figureKey(scenario, m.figure);
      const baselineValue = own.get(baseline) ?? this.valueOf(baseline);
      if (baselineValue === undefined) {
        throw new Error(
          `${scenario}/${m.figure}: no value for its baseline ${baseline} (run \`npm run bench ${baseline.split('/')[0]}\`)`,
        );
      }
      if (!Number.isFinite(m.value)) throw new Error(`${scenario}/${m.figure}: not a number (${m.value})`);
      return {
        scenario,
        figure: m.figure,
        unit: m.unit,
        value: round(m.value, 2),
        baseline,
        baselineValue: round(baselineValue, 2),
        ratio: baselineValue === 0 ? 0 : round(m.value / baselineValue, 3),
        ...(m.note ? { note: m.note } : {}),
      };
    });
  }
}

export function formatTable(results: BenchResult[]): string {
  const rows = [
    ['scenario', 'figure', 'value', 'unit', 'baseline', 'ratio'],
    ...results.map((r) => [
      r.scenario,
      r.figure,
      Math.round(r.value).toLocaleString('en-US'),
      r.unit,
      r.baseline,
      r.ratio.toFixed(3),
    ]),
  ];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  const numeric = new Set([2, 5]);
  const line = (row: string[]) =>
    row.map((c, i) => (numeric.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ');
  return [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

import type { Writable } from 'node:stream';

export interface Streams {
  stdout: Writable & { isTTY?: boolean; columns?: number };
  stderr: Writable & { isTTY?: boolean };
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
}

// Human text by default, one JSON document with --json (JSON lines for a followed log).
// Colours only on a terminal and never with NO_COLOR.
export class Output {
  readonly color: boolean;
  /** the live phase line at the bottom of a terminal, redrawn under each printed line */
  private statusLine = '';

  constructor(
    readonly streams: Streams,
    readonly json: boolean,
    env: Record<string, string | undefined> = process.env,
  ) {
    this.color = !!streams.stdout.isTTY && !env.NO_COLOR && env.TERM !== 'dumb';
  }

  get tty() {
    return !!this.streams.stdout.isTTY;
  }

  /** a line of human output (ignored with --json) */
  line(text = '') {
    if (this.json) return;
    this.write(`${text}\n`);
  }

  /** the one JSON document of a command */
  doc(value: unknown) {
    this.streams.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  /** one JSON line of a stream */
  jsonLine(value: unknown) {
    this.streams.stdout.write(`${JSON.stringify(value)}\n`);
  }

  /** human output, or the JSON document */
  result(value: unknown, human: () => void) {
    if (this.json) this.doc(value);
    else human();
  }

  table(rows: Record<string, unknown>[], columns: string[]) {
    if (this.json) return;
    if (!rows.length) return this.line('(none)');
    const cells = rows.map((r) => columns.map((c) => cell(r[c])));
    const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i].length)));
    const fmt = (row: string[]) => row.map((v, i) => (i === row.length - 1 ? v : v.padEnd(widths[i]))).join('  ').trimEnd();
    this.line(this.dim(fmt(columns.map((c) => c.toUpperCase()))));
    for (const row of cells) this.line(fmt(row));
  }

  /** the live status line: on a terminal only; elsewhere callers print plain lines */
  status(text: string) {
    if (!this.tty || this.json) return;
    // a pseudo-terminal without a size says 0 columns
    const width = this.streams.stdout.columns || 80;
    this.statusLine = text.length >= width ? `${text.slice(0, width - 2)}…` : text;
    this.streams.stdout.write(`\r\x1b[2K${this.dim(this.statusLine)}`);
  }

  clearStatus() {
    if (!this.statusLine) return;
    this.streams.stdout.write('\r\x1b[2K');
    this.statusLine = '';
  }

  error(text: string) {
    this.clearStatus();
    this.streams.stderr.write(`${this.red(text)}\n`);
  }

  /** a note on stderr (human mode only): stdout stays what a script reads */
  note(text: string) {
    if (!this.json) this.streams.stderr.write(`${text}\n`);
  }

  red = (s: string) => (this.color ? `\x1b[31m${s}\x1b[0m` : s);
  green = (s: string) => (this.color ? `\x1b[32m${s}\x1b[0m` : s);
  dim = (s: string) => (this.color ? `\x1b[2m${s}\x1b[0m` : s);

  private write(text: string) {
    if (!this.statusLine) return void this.streams.stdout.write(text);
    const keep = this.statusLine;
    this.streams.stdout.write(`\r\x1b[2K${text}`);
    this.streams.stdout.write(this.dim(keep));
  }
}

const cell = (v: unknown): string => {
  if (v === null || v === undefined) return '-';
  if (Array.isArray(v)) return v.join(',');
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
};

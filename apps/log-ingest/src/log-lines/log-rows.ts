import { type LogBatch, boundLogMessage } from '@flightdeck/contracts';

// How batches of log lines become rows of logs.log_lines, apart from any database.

export const COLUMNS = 'deployment_id, seq, ts, level, source, step, message';
export const UNIQUE_VIOLATION = '23505';

const strictlyIncreasing = (b: LogBatch) => b.lines.every((l, i) => i === 0 || l.seq > b.lines[i - 1].seq);

/**
 * the batches with every (deploymentId, seq) once, since one COPY may not hold a key twice. The
 * builder's batches are runs of increasing seqs that do not overlap; those pass untouched, without
 * a key per line.
 */
export function distinctLines(batches: readonly LogBatch[]): LogBatch[] {
  const ranges = new Map<string, [number, number][]>();
  const overlaps = batches.some((b) => {
    if (!strictlyIncreasing(b)) return true;
    const lo = b.lines[0].seq;
    const hi = b.lines[b.lines.length - 1].seq;
    const seen = ranges.get(b.deploymentId) ?? [];
    if (seen.some(([l, h]) => lo <= h && l <= hi)) return true;
    ranges.set(b.deploymentId, [...seen, [lo, hi]]);
    return false;
  });
  if (!overlaps) return [...batches];
  const seen = new Map<string, Set<number>>();
  return batches.map((b) => {
    const own = seen.get(b.deploymentId) ?? new Set<number>();
    seen.set(b.deploymentId, own);
    return {
      deploymentId: b.deploymentId,
      lines: b.lines.filter((l) => !own.has(l.seq) && own.add(l.seq)),
    };
  });
}

// Postgres text cannot hold NUL; a build that prints one must not block its deployment's log.
export const storable = (text: string) => (text.includes('\u0000') ? text.replace(/\u0000/g, '\uFFFD') : text);

/** a message as stored: cut past the size bound (saying so), NUL made storable */
export const storableMessage = (message: string) => storable(boundLogMessage(message));

const SPECIAL = /[\\\t\n\r\u0000]/;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r', '\u0000': '\uFFFD' };
/** a text field in COPY's text format: backslash, tab, newline and carriage return escaped, NUL replaced */
export const copyField = (s: string) => (SPECIAL.test(s) ? s.replace(/[\\\t\n\r\u0000]/g, (c) => ESCAPES[c]) : s);

const LINES_PER_CHUNK = 1_000;

/** the lines as COPY text rows (columns as COLUMNS), in chunks of about a hundred kB */
export function* copyText(batches: readonly LogBatch[]): Generator<string> {
  let chunk = '';
  let n = 0;
  for (const b of batches) {
    for (const l of b.lines) {
      // ids, seqs, timestamps, levels and sources were checked by the contract; only text is escaped
      chunk += `${b.deploymentId}\t${l.seq}\t${l.timestamp}\t${l.level}\t${l.source}\t${copyField(l.step)}\t${copyField(boundLogMessage(l.message))}\n`;
      if (++n === LINES_PER_CHUNK) {
        yield chunk;
        chunk = '';
        n = 0;
      }
    }
  }
  if (chunk) yield chunk;
}

export interface Volume {
  lines: number;
  /** UTF-8 bytes of the messages as stored */
  bytes: number;
}

/** lines and message bytes per deployment, as COPY stores them */
export function volumeOf(batches: readonly LogBatch[]): Map<string, Volume> {
  const volume = new Map<string, Volume>();
  for (const b of batches) {
    const v = volume.get(b.deploymentId) ?? { lines: 0, bytes: 0 };
    for (const l of b.lines) v.bytes += Buffer.byteLength(storableMessage(l.message));
    v.lines += b.lines.length;
    if (v.lines) volume.set(b.deploymentId, v);
  }
  return volume;
}

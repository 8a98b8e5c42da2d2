import { MIN_BASE64_FRAGMENT } from './secret-forms';

// Base64 wrapped at a fixed width (the base64 command and MIME at 76 columns, PEM at 64) cuts a
// secret's encoding into pieces on consecutive lines, at columns that depend on what was encoded
// before it. Each log line then holds one piece: a whole line inside the encoding, the encoding's
// start at the end of a line, or its end at the start of one. So every run of base64 characters is
// looked up by its first and by its last few characters in an index of the secret's encodings, and
// the part that continues an encoding up to the run's edge, or to the encoding's own, is masked.
// A piece shorter than PIECE at a line's edge (at most 35 bits of the secret) stays visible.
export const PIECE = MIN_BASE64_FRAGMENT;
const RUN = new RegExp(`[A-Za-z0-9+/_=-]{${PIECE},}`, 'g');
const OFFSETS = 2 ** 24;
// a repetitive secret repeats its substrings; a few places of each are enough to follow a run
const MAX_PLACES = 64;

export class Base64Pieces {
  private readonly cores: string[] = [];
  // each PIECE-long substring of a core → where: core number * OFFSETS + offset, several if repeated
  private readonly index = new Map<string, number | number[]>();

  constructor(cores: Iterable<string>) {
    for (const core of new Set(cores)) {
      if (core.length < PIECE || core.length >= OFFSETS) continue;
      const c = this.cores.push(core) - 1;
      for (let o = 0; o + PIECE <= core.length; o++) {
        const key = core.slice(o, o + PIECE);
        const at = c * OFFSETS + o;
        const known = this.index.get(key);
        if (known === undefined) this.index.set(key, at);
        else if (!Array.isArray(known)) this.index.set(key, [known, at]);
        else if (known.length < MAX_PLACES) known.push(at);
      }
    }
  }

  get size(): number {
    return this.cores.length;
  }

  /** adds the [start, end) of each piece of an encoding in text to ranges */
  find(text: string, ranges: [number, number][]): void {
    if (!this.cores.length) return;
    for (const m of text.matchAll(RUN)) {
      const run = m[0];
      const start = m.index!;
      const end = start + run.length;
      for (const [core, o] of this.where(run.slice(0, PIECE))) {
        let n = PIECE;
        while (n < run.length && o + n < core.length && run.charCodeAt(n) === core.charCodeAt(o + n)) n++;
        // the whole run lies in the encoding, or the encoding ends inside the run
        if (n === run.length || o + n === core.length) ranges.push([start, start + n]);
      }
      for (const [core, o] of this.where(run.slice(-PIECE))) {
        let n = PIECE;
        while (n < run.length && n < o + PIECE && run.charCodeAt(run.length - 1 - n) === core.charCodeAt(o + PIECE - 1 - n)) n++;
        // the whole run lies in the encoding, or the encoding starts inside the run
        if (n === run.length || n === o + PIECE) ranges.push([end - n, end]);
      }
    }
  }

  private *where(key: string): Generator<[string, number]> {
    const found = this.index.get(key);
    if (found === undefined) return;
    for (const at of Array.isArray(found) ? found : [found]) yield [this.cores[Math.floor(at / OFFSETS)], at % OFFSETS];
  }
}

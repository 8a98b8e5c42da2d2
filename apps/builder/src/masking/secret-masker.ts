import { MASKED_VALUE } from '@flightdeck/contracts';
import { Base64Pieces } from './base64-pieces';
import { escapedView } from './escaped-view';
import { base64Cores, secretForms } from './secret-forms';

type Range = [start: number, end: number];

// \uXXXX: the most raw characters one character of an escaped view comes from
const MAX_ESCAPE_LENGTH = 6;

// Replaces every form of every secret with ***, before a line leaves the builder (log stream,
// failure summary, error message). Overlapping matches of different secrets are merged, so no
// tail of one survives because another matched first.
export class SecretMasker {
  private readonly needles: string[];
  private readonly pieces: Base64Pieces;
  /** how far back from a text's end a match could start that more text might complete */
  readonly reach: number;

  constructor(secrets: Iterable<string>) {
    const all = new Set<string>();
    const cores: string[] = [];
    for (const s of secrets) {
      for (const form of secretForms(s)) all.add(form);
      cores.push(...base64Cores(s));
    }
    this.needles = [...all].sort((a, b) => b.length - a.length);
    this.pieces = new Base64Pieces(cores);
    this.reach = (this.needles[0]?.length ?? 0) * MAX_ESCAPE_LENGTH;
  }

  static none(): SecretMasker {
    return new SecretMasker([]);
  }

  get size(): number {
    return this.needles.length;
  }

  mask(text: string): string {
    if (!this.needles.length || !text) return text;
    const ranges = this.matches(text).sort((a, b) => a[0] - b[0]);
    if (!ranges.length) return text;
    let out = '';
    let cursor = 0;
    let [start, end] = ranges[0];
    for (const [s, e] of ranges.slice(1)) {
      if (s <= end) {
        end = Math.max(end, e);
        continue;
      }
      out += text.slice(cursor, start) + MASKED_VALUE;
      cursor = end;
      [start, end] = [s, e];
    }
    return out + text.slice(cursor, start) + MASKED_VALUE + text.slice(end);
  }

  /**
   * Where a line too long to keep whole may be cut when more of it is still to come: before the
   * last `reach` characters, and never inside a match, so each part masks on its own as the whole
   * would. 0: keep all of it for now (less than half could go).
   */
  safeCut(text: string): number {
    const at = text.length - this.reach;
    if (at < text.length / 2) return 0;
    let cut = at;
    const ranges = this.matches(text).sort((a, b) => a[0] - b[0]);
    for (let i = ranges.length - 1; i >= 0; i--) {
      const [s, e] = ranges[i];
      if (s < cut && cut < e) cut = s;
    }
    // overlapping matches all the way back (a secret repeating itself): cut where it must
    return cut > 0 ? cut : at;
  }

  private matches(text: string): Range[] {
    const ranges: Range[] = [];
    this.find(text, ranges);
    const view = escapedView(text);
    if (view) {
      const inView: Range[] = [];
      this.find(view.text, inView);
      for (const [s, e] of inView) ranges.push(view.rawRange(s, e));
    }
    return ranges;
  }

  private find(text: string, ranges: Range[]): void {
    for (const needle of this.needles) {
      for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + 1)) {
        ranges.push([at, at + needle.length]);
      }
    }
    this.pieces.find(text, ranges);
  }
}

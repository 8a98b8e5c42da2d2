import { MASKED_VALUE } from '@flightdeck/contracts';
import { secretForms } from './secret-forms';

// Replaces every form of every secret with ***, before a line leaves the builder (log stream,
// failure summary, error message). Overlapping matches of different secrets are merged, so no
// tail of one survives because another matched first.
export class SecretMasker {
  private readonly needles: string[];

  constructor(secrets: Iterable<string>) {
    const all = new Set<string>();
    for (const s of secrets) for (const form of secretForms(s)) all.add(form);
    this.needles = [...all].sort((a, b) => b.length - a.length);
  }

  static none(): SecretMasker {
    return new SecretMasker([]);
  }

  get size(): number {
    return this.needles.length;
  }

  mask(text: string): string {
    if (!this.needles.length || !text) return text;
    const ranges: [number, number][] = [];
    for (const needle of this.needles) {
      for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + 1)) {
        ranges.push([at, at + needle.length]);
      }
    }
    if (!ranges.length) return text;
    ranges.sort((a, b) => a[0] - b[0]);
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
}

import { parse } from 'dotenv';

export interface ExampleEntry {
  key: string;
  /** the example's value, '' when it leaves it empty */
  example: string;
  /** the comment lines just above it */
  description: string;
  /** commented out (`# KEY=value`): the app runs without it */
  optional: boolean;
}

const ASSIGNMENT = /^\s*(#\s*)?(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=(.*)$/;

// A .env.example or .env.sample: each assignment with the comment above it. Values go through
// dotenv's own parser (quotes, escapes); a commented-out assignment is an optional variable.
export const parseEnvExample = (text: string): ExampleEntry[] => {
  const entries = new Map<string, ExampleEntry>();
  let comment: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const m = ASSIGNMENT.exec(line);
    if (m) {
      const [, hash, key, rest] = m;
      const example = parse(`${key}=${rest}`)[key] ?? '';
      const found = entries.get(key);
      // a key both commented and set: the set line wins
      if (!found || (found.optional && !hash)) {
        entries.set(key, { key, example, description: comment.join(' '), optional: Boolean(hash) });
      }
      comment = [];
    } else if (/^\s*#/.test(line)) {
      const text = line.replace(/^\s*#+\s?/, '').trim();
      if (text) comment.push(text);
    } else {
      comment = [];
    }
  }
  return [...entries.values()];
};

import { VariableKey, forbiddenValueMessage } from '@flightdeck/contracts';

export const MAX_VALUE_CHARS = 64 * 1024;

export type DotenvLine =
  | { line: number; kind: 'entry'; key: string; value: string }
  | { line: number; kind: 'malformed'; key?: string; message: string }
  | { line: number; kind: 'refused'; key: string; message: string };

const ENTRY = /^(?:export\s+)?([^=\s]+)\s*=\s?(.*)$/;
const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\' };

// A .env body read line by line, so that each problem names its line (dotenv's parser skips what it
// cannot read without saying so). KEY=value, optional `export `, comments and blank lines;
// unquoted values end at ` #`; 'single' quotes are literal; "double" quotes take \n \r \t \" \\
// and may span lines (a PEM key). Messages name keys and lines, never values.
export function parseDotenv(text: string): DotenvLine[] {
  const lines = text.split(/\r?\n/);
  const out: DotenvLine[] = [];
  for (let i = 0; i < lines.length; i++) {
    const number = i + 1;
    const raw = lines[i];
    const trimmed = raw.trim();
    if (!trimmed || trimmed.startsWith('#')) continue;
    const m = ENTRY.exec(trimmed);
    if (!m) {
      out.push({ line: number, kind: 'malformed', message: `line ${number}: expected KEY=value` });
      continue;
    }
    const key = m[1];
    if (!VariableKey.safeParse(key).success) {
      out.push({ line: number, kind: 'malformed', message: `line ${number}: "${key.slice(0, 64)}" is not a variable name (letters, digits and underscores, not starting with a digit)` });
      continue;
    }
    let rest = m[2].trimStart();
    let value: string;
    const quote = rest[0];
    if (quote === '"' || quote === "'") {
      // the value may continue on the following lines until its closing quote
      let body = rest.slice(1);
      let close = closingQuote(body, quote);
      let j = i;
      while (close < 0 && j + 1 < lines.length) {
        j++;
        body += '\n' + lines[j];
        close = closingQuote(body, quote);
      }
      if (close < 0) {
        out.push({ line: number, kind: 'malformed', key, message: `line ${number}: ${key}: the quoted value is never closed` });
        break;
      }
      const after = body.slice(close + 1).trim();
      if (after && !after.startsWith('#')) {
        out.push({ line: number, kind: 'malformed', key, message: `line ${number}: ${key}: unexpected text after the closing quote` });
        i = j;
        continue;
      }
      value = quote === '"' ? body.slice(0, close).replace(/\\([nrt"\\])/g, (_, c: string) => ESCAPES[c]) : body.slice(0, close);
      i = j;
    } else {
      const comment = rest.search(/\s#/);
      if (comment >= 0) rest = rest.slice(0, comment);
      value = rest.trim();
    }
    if (value.length > MAX_VALUE_CHARS) {
      out.push({ line: number, kind: 'refused', key, message: `line ${number}: ${key}: the value is longer than ${MAX_VALUE_CHARS} characters` });
      continue;
    }
    const forbidden = forbiddenValueMessage(key, value);
    if (forbidden) {
      out.push({ line: number, kind: 'refused', key, message: `line ${number}: ${forbidden}` });
      continue;
    }
    out.push({ line: number, kind: 'entry', key, value });
  }
  return out;
}

const closingQuote = (body: string, quote: string): number => {
  for (let k = 0; k < body.length; k++) {
    if (quote === '"' && body[k] === '\\') {
      k++;
      continue;
    }
    if (body[k] === quote) return k;
  }
  return -1;
};

// The inverse, for export: bare when safe; else 'single-quoted', which every .env reader takes
// literally (no $ expansion); double-quoted with escapes only for a value holding a quote or a line break.
export function formatDotenvValue(value: string): string {
  if (/^[A-Za-z0-9_./:@%+,=-]*$/.test(value)) return value;
  if (!/['\r\n]/.test(value)) return `'${value}'`;
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t')}"`;
}

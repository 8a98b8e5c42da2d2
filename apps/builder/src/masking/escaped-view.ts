// JSON encoders escape differently: JSON.stringify only quotes and controls, Python's json.dumps
// every non-ASCII character as \uXXXX, PHP's json_encode also every "/" as "\/", Go's "<>&" as
// \u003c... A secret can come out in any mix of these, too many forms to list. So the masker also
// looks at a line as a JSON string decoder reads it, and masks where a match came from.

const SIMPLE_ESCAPES = new Map([
  ['"', '"'],
  ['\\', '\\'],
  ['/', '/'],
  ['b', '\b'],
  ['f', '\f'],
  ['n', '\n'],
  ['r', '\r'],
  ['t', '\t'],
]);
const HEX4 = /^[0-9a-fA-F]{4}$/;

export interface EscapedView {
  /** the text with every JSON escape replaced by the character it stands for */
  text: string;
  /** where [start, end) of the view is in the original text */
  rawRange(start: number, end: number): [number, number];
}

/** undefined when the text holds no escape, so the view would be the text itself */
export function escapedView(raw: string): EscapedView | undefined {
  let bs = raw.indexOf('\\');
  if (bs === -1) return undefined;
  const parts: string[] = [];
  // starts[i]: where view character i begins in raw; one more entry for the end
  const starts = new Int32Array(raw.length + 1);
  let n = 0;
  let i = 0;
  let decoded = false;
  while (i < raw.length) {
    const end = bs === -1 ? raw.length : bs;
    for (let j = i; j < end; j++) starts[n++] = j;
    if (end > i) parts.push(raw.slice(i, end));
    if (bs === -1) break;
    const next = raw[bs + 1];
    const hex = next === 'u' ? raw.slice(bs + 2, bs + 6) : '';
    starts[n++] = bs;
    if (HEX4.test(hex)) {
      parts.push(String.fromCharCode(parseInt(hex, 16)));
      i = bs + 6;
      decoded = true;
    } else if (next !== undefined && SIMPLE_ESCAPES.has(next)) {
      parts.push(SIMPLE_ESCAPES.get(next)!);
      i = bs + 2;
      decoded = true;
    } else {
      parts.push('\\');
      i = bs + 1;
    }
    bs = raw.indexOf('\\', i);
  }
  if (!decoded) return undefined;
  starts[n] = raw.length;
  return { text: parts.join(''), rawRange: (start, end) => [starts[start], starts[end]] };
}

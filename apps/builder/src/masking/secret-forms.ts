// The shapes a secret value takes in build output besides itself. A build prints what its tools
// print: base64 (Basic auth headers, k8s secrets, data URLs), URL-encoded (connection strings,
// query strings) and JSON-escaped (a config object dumped to the log). Forms that are not one
// string are found by the masker itself: base64 wrapped across lines (base64-pieces.ts) and
// \uXXXX or \/ escapes in any mix (escaped-view.ts).

// Values shorter than this are not masked: replacing every "1" or "on" would wreck the log
// and protect nothing.
export const MIN_SECRET_LENGTH = 3;
// Shifted base64 fragments shorter than this would match random text too often.
export const MIN_BASE64_FRAGMENT = 6;

const base64 = (bytes: Buffer, urlSafe: boolean) =>
  bytes.toString(urlSafe ? 'base64url' : 'base64').replace(/=+$/, '');

// Inside a longer encoded string (say base64("user:" + secret)), the secret starts at any offset
// modulo 3. For each offset the characters that depend only on the secret's bytes are fixed:
// encode with placeholder bytes in front, then drop the characters the placeholders touched and
// the last one, which depends on whatever byte follows.
function shiftedCores(value: string, urlSafe: boolean): string[] {
  const bytes = Buffer.from(value, 'utf8');
  const headChars = [0, 2, 3];
  const cores: string[] = [];
  for (let shift = 0; shift < 3; shift++) {
    const encoded = base64(Buffer.concat([Buffer.alloc(shift), bytes]), urlSafe);
    const tail = (shift + bytes.length) % 3 === 0 ? 0 : 1;
    const core = encoded.slice(headChars[shift], encoded.length - tail);
    if (core.length >= MIN_BASE64_FRAGMENT) cores.push(core);
  }
  return cores;
}

/** the base64 characters only this value decides, at each of the three offsets, standard and URL-safe */
export const base64Cores = (value: string): string[] =>
  value.length < MIN_SECRET_LENGTH ? [] : [...shiftedCores(value, false), ...shiftedCores(value, true)];

function base64Fragments(value: string, urlSafe: boolean): string[] {
  const bytes = Buffer.from(value, 'utf8');
  return [bytes.toString(urlSafe ? 'base64url' : 'base64'), base64(bytes, urlSafe), ...shiftedCores(value, urlSafe)];
}

function encodedForms(value: string): string[] {
  const forms = [value, JSON.stringify(value).slice(1, -1), ...base64Fragments(value, false), ...base64Fragments(value, true)];
  try {
    const uri = encodeURIComponent(value);
    // some encoders write lower-case hex; forms use + for spaces
    forms.push(uri, uri.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()), new URLSearchParams({ v: value }).toString().slice(2));
  } catch {
    // a lone surrogate cannot be URL-encoded, so it cannot appear URL-encoded either
  }
  return forms;
}

// Every string that must never appear in a log line for this value, longest first so that a
// replacement never leaves the tail of a longer form behind.
export function secretForms(value: string): string[] {
  if (value.length < MIN_SECRET_LENGTH) return [];
  const parts = [value];
  const lines = value.split(/\r\n|\r|\n/);
  if (lines.length > 1) parts.push(...lines.map((l) => l.trim()).filter((l) => l.length >= MIN_SECRET_LENGTH));
  const forms = new Set<string>();
  for (const part of parts) {
    for (const form of encodedForms(part)) if (form.length >= MIN_SECRET_LENGTH) forms.add(form);
  }
  return [...forms].sort((a, b) => b.length - a.length);
}

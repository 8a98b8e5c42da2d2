/** where a request carries text no service can store, and why */
export interface InvalidText {
  path: string;
  message: string;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const problemOf = (text: string): string | undefined => {
  if (text.includes('\u0000')) return 'contains a NUL character (\\u0000), which text cannot hold';
  if (LONE_SURROGATE.test(text)) return 'contains an unpaired UTF-16 surrogate, which is not valid Unicode text';
  return undefined;
};

// Postgres text cannot hold NUL, and a lone surrogate has no UTF-8 form: a request carrying either
// (in a value or a key, at any depth) is refused where it enters the platform, naming the place,
// instead of failing as an internal error in the service that tries to store it.
export function findInvalidText(value: unknown, path: string[] = []): InvalidText | undefined {
  const at = (p: string[]) => p.join('.') || '(body)';
  if (typeof value === 'string') {
    const message = problemOf(value);
    return message ? { path: at(path), message } : undefined;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findInvalidText(value[i], [...path, String(i)]);
      if (found) return found;
    }
    return undefined;
  }
  if (value && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      const keyProblem = problemOf(key);
      if (keyProblem) return { path: at([...path, JSON.stringify(key)]), message: `field name ${keyProblem}` };
      const found = findInvalidText(v, [...path, key]);
      if (found) return found;
    }
  }
  return undefined;
}

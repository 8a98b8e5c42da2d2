import { Script, createContext } from 'node:vm';

export const checkLength = (value: string, min?: number, max?: number): string | undefined => {
  // characters as a person counts them (an emoji is one), not UTF-16 units
  const length = [...value].length;
  if (min !== undefined && length < min) return `must be at least ${min} characters long (it has ${length})`;
  if (max !== undefined && length > max) return `must be at most ${max} characters long (it has ${length})`;
  return undefined;
};

export const PATTERN_TIMEOUT_MS = 100;
const TEST = new Script('re.test(value)');
const sandbox = createContext({ re: undefined as RegExp | undefined, value: '' });

// A user's pattern runs in a vm context with a time limit: a catastrophic one such as ^(a+)+$
// would otherwise hold environment-manager's event loop for every tenant. The rule was compiled
// when it arrived (VariableRule refuses one that does not); compiled again here as rules travel as data.
export const checkPattern = (
  value: string,
  pattern: string,
  flags?: string,
  description?: string,
): string | undefined => {
  sandbox.re = new RegExp(pattern, flags);
  sandbox.value = value;
  let matched: boolean;
  try {
    matched = TEST.runInContext(sandbox, { timeout: PATTERN_TIMEOUT_MS }) as boolean;
  } catch (e) {
    if ((e as { code?: string }).code !== 'ERR_SCRIPT_EXECUTION_TIMEOUT') throw e;
    return `could not be checked: its pattern took longer than ${PATTERN_TIMEOUT_MS} ms on this value (nested repetition such as (a+)+ makes a pattern this slow)`;
  } finally {
    sandbox.re = undefined;
    sandbox.value = '';
  }
  return matched ? undefined : `must match ${description ?? `the pattern /${pattern}/${flags ?? ''}`}`;
};

export const checkLength = (value: string, min?: number, max?: number): string | undefined => {
  // characters as a person counts them (an emoji is one), not UTF-16 units
  const length = [...value].length;
  if (min !== undefined && length < min) return `must be at least ${min} characters long (it has ${length})`;
  if (max !== undefined && length > max) return `must be at most ${max} characters long (it has ${length})`;
  return undefined;
};

// The rule was compiled once when it arrived (VariableRule refuses one that does not); compiled
// again here because rules travel as data.
export const checkPattern = (
  value: string,
  pattern: string,
  flags?: string,
  description?: string,
): string | undefined =>
  new RegExp(pattern, flags).test(value)
    ? undefined
    : `must match ${description ?? `the pattern /${pattern}/${flags ?? ''}`}`;

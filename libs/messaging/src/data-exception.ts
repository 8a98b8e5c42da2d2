// Postgres's error class 22 (data exception: a number out of range, text it cannot hold, a date that
// does not exist) means a value could not be stored as given: the caller's mistake, answered as
// invalid input, not an internal error. The driver's message names the value's problem.
export const dataExceptionOf = (e: unknown): { code: string; message: string } | undefined => {
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !/^22[0-9A-Z]{3}$/.test(code)) return undefined;
  return { code, message: (e as { message?: unknown }).message ? String((e as { message: unknown }).message) : 'invalid value' };
};

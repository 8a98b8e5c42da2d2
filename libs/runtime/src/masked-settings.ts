const SENSITIVE_NAME = /SECRET|TOKEN|PASSWORD|KEY$/i;

// What an operator may see of a service's resolved settings: secrets hidden, passwords cut out of URLs.
export function maskSettings(settings: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(settings)) {
    if (value === undefined) continue;
    if (SENSITIVE_NAME.test(key)) out[key] = '***';
    else if (typeof value === 'string') out[key] = value.replace(/(\/\/[^:/@]+:)[^@/]+@/g, '$1***@');
    else out[key] = value;
  }
  return out;
}

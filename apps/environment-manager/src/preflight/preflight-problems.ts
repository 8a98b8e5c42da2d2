import type { ConfigurationProblem, DetectedVariable } from '@flightdeck/contracts';
import { ruleForKey } from '../detection/known-variables';
import type { StoredValue } from '../validation/environment-values.service';
import { undecryptableMessage } from '../validation/environment-values.service';
import { validateValue } from '../validation/validate-value';

// Pure: every problem at once, one per key. A required detected variable that is not set is
// missing; every set value is checked against the detected rule, else the rule its key is known
// by (a stored DATABASE_URL is checked even when detection could not read the repository).
export const preflightProblems = (
  detected: readonly DetectedVariable[],
  values: ReadonlyMap<string, StoredValue>,
  undecryptable: readonly string[],
): ConfigurationProblem[] => {
  const problems = new Map<string, ConfigurationProblem>();
  const detectedByKey = new Map(detected.map((v) => [v.key, v]));
  for (const v of detected) {
    if (v.required && !values.has(v.key) && !undecryptable.includes(v.key)) {
      problems.set(v.key, { key: v.key, kind: 'missing', message: `${v.key} is required (${v.sources.join(', ')}) and not set` });
    }
  }
  for (const [key, stored] of values) {
    const rule = detectedByKey.get(key)?.rule ?? ruleForKey(key);
    const message = rule ? validateValue(key, stored.value, rule) : undefined;
    if (message) problems.set(key, { key, kind: 'invalid', message });
  }
  for (const key of undecryptable) problems.set(key, { key, kind: 'invalid', message: undecryptableMessage(key) });
  return [...problems.values()].sort((a, b) => a.key.localeCompare(b.key));
};

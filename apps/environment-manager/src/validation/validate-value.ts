import type { VariableRule } from '@flightdeck/contracts';
import { checkApiKey, checkJwt, checkSecret } from './key-rules';
import { checkLength, checkPattern } from './text-rules';
import { checkHttpUrl, checkMongoUrl, checkPostgresUrl, checkRedisUrl } from './url-rules';

const problemOf = (value: string, rule: VariableRule): string | undefined => {
  switch (rule.kind) {
    case 'http-url':
      return checkHttpUrl(value);
    case 'postgres-url':
      return checkPostgresUrl(value);
    case 'mongodb-url':
      return checkMongoUrl(value);
    case 'redis-url':
      return checkRedisUrl(value);
    case 'api-key':
      return checkApiKey(value, rule.provider, rule.minLength);
    case 'jwt':
      return checkJwt(value);
    case 'secret':
      return checkSecret(value, rule.minLength);
    case 'length':
      return checkLength(value, rule.min, rule.max);
    case 'pattern':
      return checkPattern(value, rule.pattern, rule.flags, rule.description);
  }
};

/** one sentence naming the variable when the value fails its rule, else undefined; never the value */
export const validateValue = (key: string, value: string, rule: VariableRule): string | undefined => {
  const problem = problemOf(value, rule);
  return problem && `${key} ${problem}`;
};

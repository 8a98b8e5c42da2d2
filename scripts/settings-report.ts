import { SERVICE_NAMES } from '@flightdeck/contracts';
import { maskSettings } from '@flightdeck/runtime';
import {
  FROM_OPERATOR_WHEN_SET,
  LAUNCHER_OWNED,
  SERVICE_SETTINGS,
  forwardableSettings,
  forwardedSettings,
  unknownSettings,
} from './service-settings';
import { StackSettings } from './stack-settings';

// Every setting the operator set is either used or reported: an unknown FLIGHTDECK_* name gets a
// warning (with the nearest known name), a malformed value stops the start naming it.
export function checkSettings(env: NodeJS.ProcessEnv, say: (m: string) => void): boolean {
  for (const { name, suggestion } of unknownSettings(env)) {
    say(`warning: ${name} is not a setting of any service or of npm start${suggestion ? `; did you mean ${suggestion}?` : ''} (ignored)`);
  }
  const problems: string[] = [];
  const stack = StackSettings.safeParse(env);
  if (!stack.success) for (const i of stack.error.issues) problems.push(`${i.path.join('.')}: ${i.message} (npm start)`);
  for (const name of SERVICE_NAMES) {
    const schema = SERVICE_SETTINGS[name];
    const given = Object.keys(schema.shape).filter((k) => FROM_OPERATOR_WHEN_SET.has(k) && env[k] !== undefined);
    const keys = Object.fromEntries([...forwardableSettings(name), ...given].map((k) => [k, true] as const));
    const values = { ...forwardedSettings(name, env), ...Object.fromEntries(given.map((k) => [k, env[k]])) };
    const parsed = schema.pick(keys).safeParse(values);
    if (!parsed.success) for (const i of parsed.error.issues) problems.push(`${i.path.join('.')}: ${i.message} (${name})`);
  }
  for (const p of [...new Set(problems)]) say(`invalid setting ${p}`);
  return problems.length === 0;
}

// `npm start -- --print-config`: what each service would run with, secrets masked.
export function printSettings(env: NodeJS.ProcessEnv) {
  const stack = StackSettings.safeParse(env);
  console.log('npm start');
  if (stack.success) printBlock(stack.data);
  else console.log(`  invalid: ${stack.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  for (const name of SERVICE_NAMES) {
    const schema = SERVICE_SETTINGS[name];
    const keys = Object.fromEntries(forwardableSettings(name).map((k) => [k, true] as const));
    const parsed = schema.pick(keys).safeParse(forwardedSettings(name, env));
    console.log(name);
    if (parsed.success) printBlock(parsed.data);
    else console.log(`  invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    const owned = Object.keys(schema.shape).filter((k) => LAUNCHER_OWNED.has(k));
    console.log(`  (set by npm start: ${owned.join(', ')})`);
  }
  for (const { name, suggestion } of unknownSettings(env)) {
    console.log(`unknown: ${name}${suggestion ? ` (did you mean ${suggestion}?)` : ''}`);
  }
}

const printBlock = (values: Record<string, unknown>) => {
  for (const [k, v] of Object.entries(maskSettings(values))) console.log(`  ${k}=${v}`);
};

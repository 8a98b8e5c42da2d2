import type { ResolvedVariable, TriggerVariables } from '@flightdeck/contracts';

// The last level of precedence (project < environment < trigger): a trigger's variables replace
// those of the same key, for that deployment only, at build and at run time alike.
export const overTriggerVariables = (items: readonly ResolvedVariable[], vars: TriggerVariables | undefined, at: string): ResolvedVariable[] => {
  const given = Object.entries(vars ?? {});
  if (!given.length) return [...items];
  const keys = new Set(given.map(([key]) => key));
  return [
    ...items.filter((v) => !keys.has(v.key)),
    ...given.map(([key, value]): ResolvedVariable => ({ key, value, sensitive: false, target: 'both', level: 'trigger', updatedAt: at })),
  ];
};

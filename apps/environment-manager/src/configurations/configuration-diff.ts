import type { ConfiguredVariable, DeploymentConfiguration, ResolvedVariable, SettingDifference, VariableDifference } from '@flightdeck/contracts';

// A resolved variable as a deployment's record keeps it: a sensitive value never, its version instead.
export const configuredVariable = (v: ResolvedVariable): ConfiguredVariable => ({
  key: v.key,
  sensitive: v.sensitive,
  ...(v.target ? { target: v.target } : {}),
  ...(v.level ? { level: v.level } : {}),
  value: v.sensitive ? null : v.value,
  version: v.updatedAt ?? 'unknown',
});

const detailOf = (a: ConfiguredVariable, b: ConfiguredVariable): string[] => [
  ...((a.target ?? 'both') !== (b.target ?? 'both') ? [`target ${a.target ?? 'both'} → ${b.target ?? 'both'}`] : []),
  ...((a.level ?? 'environment') !== (b.level ?? 'environment') ? [`level ${a.level ?? 'environment'} → ${b.level ?? 'environment'}`] : []),
];

// A sensitive variable whose version differs has changed (a rewrite with the same value counts):
// no value, old or new, is ever compared or shown.
const variableChange = (before: ConfiguredVariable, after: ConfiguredVariable): VariableDifference | undefined => {
  const detail = detailOf(before, after);
  const sensitive = before.sensitive || after.sensitive;
  const valueChanged = sensitive ? before.version !== after.version || before.sensitive !== after.sensitive : before.value !== after.value;
  if (!valueChanged && detail.length === 0) return undefined;
  return {
    key: after.key,
    change: 'changed',
    sensitive,
    ...(sensitive ? {} : { from: before.value, to: after.value }),
    ...(detail.length ? { detail } : {}),
  };
};

/** what differs from `against` to `deployment`: variables by key, settings by path */
export const diffConfigurations = (
  deployment: Pick<DeploymentConfiguration, 'variables' | 'settings'>,
  against: Pick<DeploymentConfiguration, 'variables' | 'settings'>,
): { variables: VariableDifference[]; settings: SettingDifference[] } => {
  const before = new Map(against.variables.map((v) => [v.key, v]));
  const after = new Map(deployment.variables.map((v) => [v.key, v]));
  const variables: VariableDifference[] = [];
  for (const key of [...new Set([...before.keys(), ...after.keys()])].sort()) {
    const a = before.get(key);
    const b = after.get(key);
    if (a && b) {
      const change = variableChange(a, b);
      if (change) variables.push(change);
    } else if (b) {
      variables.push({ key, change: 'added', sensitive: b.sensitive, ...(b.sensitive ? {} : { from: null, to: b.value }) });
    } else if (a) {
      variables.push({ key, change: 'removed', sensitive: a.sensitive, ...(a.sensitive ? {} : { from: a.value, to: null }) });
    }
  }
  return { variables, settings: diffSettings(against.settings, deployment.settings) };
};

const flatten = (value: unknown, path: string, out: Map<string, unknown>) => {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, path ? `${path}.${k}` : k, out);
  } else if (path) {
    out.set(path, value);
  }
  return out;
};

const diffSettings = (before: Record<string, unknown>, after: Record<string, unknown>): SettingDifference[] => {
  const a = flatten(before, '', new Map());
  const b = flatten(after, '', new Map());
  return [...new Set([...a.keys(), ...b.keys()])]
    .sort()
    .filter((path) => JSON.stringify(a.get(path)) !== JSON.stringify(b.get(path)))
    .map((path) => ({ path, from: a.get(path) ?? null, to: b.get(path) ?? null }));
};

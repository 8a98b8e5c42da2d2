import type { DetectedFramework, DetectedVariable } from '@flightdeck/contracts';
import { DEPENDENCY_FAMILIES, matches } from './dependency-detectors';
import { type ExampleEntry, parseEnvExample } from './env-example';
import { FRAMEWORK_KEYS, detectFramework } from './framework';
import { looksSensitive, nameFor, ruleForKey, specFor } from './known-variables';

export interface ProjectFiles {
  /** package.json's text, if the repository has one at its root */
  packageJson?: string;
  /** .env.example / .env.sample texts, by file name */
  envExamples: { name: string; text: string }[];
}

export interface Detection {
  framework: DetectedFramework;
  variables: DetectedVariable[];
  warnings: string[];
}

const dependenciesOf = (packageJson: string | undefined, warnings: string[]): Set<string> | undefined => {
  if (packageJson === undefined) return undefined;
  try {
    const pkg = JSON.parse(packageJson) as Record<string, unknown>;
    const names = ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies'].flatMap(
      (field) => {
        const deps = pkg?.[field];
        return deps && typeof deps === 'object' ? Object.keys(deps) : [];
      },
    );
    return new Set(names);
  } catch {
    warnings.push('package.json is not valid JSON: its dependencies were not read');
    return new Set();
  }
};

// Pure: what a project needs, from its files. Known variables come with their rule; others found
// only in an example file get a rule guessed from their name (*_DATABASE_URL, *_REDIS_URL), if any.
export const detectVariables = (files: ProjectFiles): Detection => {
  const warnings: string[] = [];
  const deps = dependenciesOf(files.packageJson, warnings);
  const framework = detectFramework(deps);
  const found = new Map<string, DetectedVariable>();

  const add = (key: string, source: string, fromExample?: ExampleEntry) => {
    const known = specFor(key);
    const existing = found.get(key);
    if (existing) {
      if (!existing.sources.includes(source)) existing.sources.push(source);
      // a dependency says it is needed even when the example comments it out
      if (fromExample && !fromExample.optional && !known) existing.required = true;
      return;
    }
    const sensitive = known?.sensitive ?? looksSensitive(key);
    found.set(key, {
      key,
      description: known?.description ?? (fromExample?.description || `Listed in ${source}`),
      // an example file's value for a secret is not repeated: some repositories commit real keys there
      example: known?.example ?? (sensitive ? '' : (fromExample?.example ?? '')),
      required: fromExample ? !fromExample.optional && (known?.required ?? true) : (known?.required ?? true),
      sensitive,
      rule: ruleForKey(key),
      generatable: known?.generateBytes !== undefined,
      sources: [source],
    });
  };

  if (deps) {
    for (const family of DEPENDENCY_FAMILIES) {
      const pkg = matches(family, deps);
      if (pkg) for (const key of family.keys) add(nameFor(key, framework), `dependency ${pkg}`);
    }
  }
  for (const key of FRAMEWORK_KEYS[framework] ?? []) add(nameFor(key, framework), `framework ${framework}`);
  for (const file of files.envExamples) {
    for (const entry of parseEnvExample(file.text)) add(entry.key, file.name, entry);
  }
  return { framework, variables: [...found.values()], warnings };
};

import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, resolve } from 'node:path';

// The browser entry: every module reachable from src/index.ts through relative imports (and the
// contracts it imports) must import nothing Node-only, so a bundler can ship it to a browser.
const NODE_ONLY = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
const importsOf = (file: string) =>
  [
    ...readFileSync(file, 'utf8').matchAll(
      /(?:import|export)\s[^'"]*?from\s+'([^']+)'|import\(\s*'([^']+)'\s*\)|require\(\s*'([^']+)'\s*\)/g,
    ),
  ].map((m) => m[1] ?? m[2] ?? m[3]);

const graphOf = (entry: string) => {
  const seen = new Set<string>();
  const external = new Map<string, string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const spec of importsOf(file)) {
      if (spec.startsWith('.')) visit(resolve(dirname(file), spec.endsWith('.ts') ? spec : `${spec}.ts`));
      else if (spec === '@flightdeck/contracts') visit(join(__dirname, '../../contracts/src/index.ts'));
      else external.set(spec, file);
    }
  };
  visit(entry);
  return { files: seen, external };
};

describe('the browser entry', () => {
  it('reaches no Node-only module, only the client, the contracts, zod and socket.io-client', () => {
    const { files, external } = graphOf(join(__dirname, 'index.ts'));
    expect(files.size).toBeGreaterThan(10);
    const nodeOnly = [...external].filter(([spec]) => NODE_ONLY.has(spec) || spec.startsWith('node:'));
    expect(nodeOnly).toEqual([]);
    expect([...external.keys()].sort()).toEqual(['socket.io-client', 'zod']);
  });
});

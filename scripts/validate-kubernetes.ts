// Validates Kubernetes manifests offline, against the API schemas of Kubernetes 1.34 as the
// `kubernetes-models` package ships them (and KEDA's ScaledObject against @kubernetes-models/keda):
// types, required fields, enums and formats (a quantity, an int-or-string port). The schemas allow
// fields they do not know (a misspelt `readinesProbe` passes them, and a cluster would drop it), so
// each manifest is also type-checked against the package's TypeScript declarations, where an
// unknown field is an error at any depth, as the API server's strict field validation has it.
// No cluster needed.
//
//   node -r @swc-node/register scripts/validate-kubernetes.ts [--json] [file.yaml ...]
//       default: every manifest under deploy/kubernetes (not kustomization.yaml, not nats/values.yaml)
//
// The models are ES modules that export for `import` only: this script imports them natively (the
// TypeScript compiler would turn `import()` into `require`). Jest cannot, so test/kubernetes runs
// this script as a child process.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import * as ts from 'typescript';
import { parseAllDocuments } from 'yaml';

const ROOT = resolve(__dirname, '..');
export const KUBERNETES_DIR = join(ROOT, 'deploy/kubernetes');

interface Model {
  new (data: unknown): { validate(): void };
}

// apiVersion → the module exporting its kinds
const MODULES: Record<string, string> = {
  v1: 'kubernetes-models/v1',
  'apps/v1': 'kubernetes-models/apps/v1',
  'policy/v1': 'kubernetes-models/policy/v1',
  'autoscaling/v2': 'kubernetes-models/autoscaling/v2',
  'networking.k8s.io/v1': 'kubernetes-models/networking.k8s.io/v1',
  'rbac.authorization.k8s.io/v1': 'kubernetes-models/rbac.authorization.k8s.io/v1',
  'keda.sh/v1alpha1': '@kubernetes-models/keda/keda.sh/v1alpha1',
};

export interface ManifestResult {
  file: string;
  index: number;
  kind?: string;
  apiVersion?: string;
  name?: string;
  /** validated against a schema, or no schema is known for this apiVersion/kind */
  status: 'valid' | 'invalid' | 'no-schema';
  errors: string[];
}

/** the manifests under deploy/kubernetes: YAML files other than kustomizations and Helm values */
export function manifestFiles(dir = KUBERNETES_DIR): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (name !== 'nats') out.push(...manifestFiles(path));
    } else if (/\.ya?ml$/.test(name) && name !== 'kustomization.yaml') out.push(path);
  }
  return out;
}

// a native dynamic import, kept away from the CommonJS transform
const importModule = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<unknown>;

async function modelFor(apiVersion: string, kind: string): Promise<Model | undefined> {
  const mod = MODULES[apiVersion];
  if (!mod) return undefined;
  const exports = (await importModule(mod)) as Record<string, Model | undefined>;
  return exports[kind];
}

const CHECK_FILE = join(ROOT, '__kubernetes_manifests__.ts');

// Every manifest as a typed constant in one virtual TypeScript file: excess-property errors name
// the fields the API does not have.
function checkFieldNames(checked: { result: ManifestResult; obj: unknown; module: string }[]) {
  if (!checked.length) return;
  const lines: string[] = [];
  const owner: ManifestResult[] = [];
  checked.forEach(({ result, module }, i) => {
    const type = `I${result.kind}`;
    lines.push(`import type { ${type} as T${i} } from '${module}/${result.kind}';`);
    owner.push(result);
  });
  const firstLine: number[] = [];
  checked.forEach(({ obj }, i) => {
    firstLine.push(lines.length);
    lines.push(...`export const m${i}: T${i} = ${JSON.stringify(obj, null, 1)};`.split('\n'));
  });
  const src = lines.join('\n');
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    target: ts.ScriptTarget.ES2022,
    skipLibCheck: true,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  host.getSourceFile = (name, language, ...rest) =>
    name === CHECK_FILE ? ts.createSourceFile(name, src, language) : getSourceFile(name, language, ...rest);
  host.fileExists = (name) => name === CHECK_FILE || fileExists(name);
  const program = ts.createProgram([CHECK_FILE], options, host);
  for (const d of ts.getPreEmitDiagnostics(program)) {
    if (d.file?.fileName !== CHECK_FILE || d.start === undefined) continue;
    const line = d.file.getLineAndCharacterOfPosition(d.start).line;
    let i = firstLine.length - 1;
    while (i > 0 && firstLine[i] > line) i--;
    const result = line < firstLine[0] ? owner[0] : owner[i];
    result.status = 'invalid';
    result.errors.push(`field: ${ts.flattenDiagnosticMessageText(d.messageText, ' ').replace(/"/g, '')}`);
  }
}

export async function validateFiles(files: string[]): Promise<ManifestResult[]> {
  const results: ManifestResult[] = [];
  const typed: { result: ManifestResult; obj: unknown; module: string }[] = [];
  for (const file of files) results.push(...(await validateFile(file, typed)));
  checkFieldNames(typed);
  return results;
}

async function validateFile(
  file: string,
  typed: { result: ManifestResult; obj: unknown; module: string }[],
): Promise<ManifestResult[]> {
  const results: ManifestResult[] = [];
  const docs = parseAllDocuments(readFileSync(file, 'utf8'));
  const list = Array.isArray(docs) ? docs : [docs];
  for (const [index, doc] of list.entries()) {
    const base = { file: relative(ROOT, file), index };
    if (doc.errors.length) {
      results.push({ ...base, status: 'invalid', errors: doc.errors.map((e) => `YAML: ${e.message}`) });
      continue;
    }
    const obj = doc.toJS() as { apiVersion?: string; kind?: string; metadata?: { name?: string } } | null;
    if (obj === null) continue;
    const meta = { ...base, apiVersion: obj.apiVersion, kind: obj.kind, name: obj.metadata?.name };
    if (!obj.apiVersion || !obj.kind) {
      results.push({ ...meta, status: 'invalid', errors: ['apiVersion and kind are required'] });
      continue;
    }
    if (!obj.metadata?.name) {
      results.push({ ...meta, status: 'invalid', errors: ['metadata.name is required'] });
      continue;
    }
    const Model = await modelFor(obj.apiVersion, obj.kind);
    if (!Model) {
      results.push({ ...meta, status: 'no-schema', errors: [] });
      continue;
    }
    const result: ManifestResult = { ...meta, status: 'valid', errors: [] };
    try {
      new Model(obj).validate();
    } catch (e) {
      const errors = (e as { errors?: { instancePath: string; message?: string }[] }).errors;
      result.status = 'invalid';
      result.errors = errors?.length ? errors.map((x) => `${x.instancePath || '/'}: ${x.message}`) : [(e as Error).message];
    }
    results.push(result);
    typed.push({ result, obj, module: MODULES[obj.apiVersion] });
  }
  return results;
}

async function main(args: string[]) {
  const json = args.includes('--json');
  const files = args.filter((a) => a !== '--json');
  const results = await validateFiles(files.length ? files.map((f) => resolve(f)) : manifestFiles());
  if (json) process.stdout.write(`${JSON.stringify(results)}\n`);
  else
    for (const r of results)
      console.log(`${r.status.padEnd(9)} ${r.file} ${r.kind}/${r.name}${r.errors.map((e) => `\n          ${e}`).join('')}`);
  process.exitCode = results.some((r) => r.status === 'invalid') ? 1 : 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((e) => {
    console.error(`validate-kubernetes: ${(e as Error).message}`);
    process.exit(2);
  });
}

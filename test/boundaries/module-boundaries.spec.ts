import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { WORKSPACE_ROOT } from '@flightdeck/testing';

jest.setTimeout(120_000);

// The lint rules that keep the house in order, shown on the imports they exist to refuse.
describe('module boundaries', () => {
  // eslint's own command line (its flat config loads as ESM, which jest's module system does not)
  const problems = async (file: string, code: string): Promise<(string | null)[]> => {
    const run = spawnSync(process.execPath, [join(WORKSPACE_ROOT, 'node_modules', 'eslint', 'bin', 'eslint.js'), '--stdin', '--stdin-filename', file, '-f', 'json'], {
      cwd: WORKSPACE_ROOT,
      input: code,
      encoding: 'utf8',
      env: { ...process.env, NX_NO_CLOUD: 'true', NX_DAEMON: 'false' },
    });
    const [result] = JSON.parse(run.stdout) as { messages: { ruleId: string | null }[] }[];
    return result.messages.map((m) => m.ruleId);
  };

  it("refuses the test lib and another service's migrations in a service's source", async () => {
    expect(await problems('apps/builder/src/jobs/x.ts', "import { startTestInfra } from '@flightdeck/testing';\nexport const f = startTestInfra;\n")).toContain(
      'no-restricted-imports',
    );
    expect(await problems('apps/builder/src/jobs/x.ts', "import { migrations } from '@flightdeck/migrations/gateway';\nexport const m = migrations;\n")).toContain(
      'no-restricted-imports',
    );
  });

  it("allows a service its own migrations, and its tests the test lib", async () => {
    expect(await problems('apps/builder/src/jobs/x.ts', "import { migrations } from '@flightdeck/migrations/builder';\nexport const m = migrations;\n")).toEqual([]);
    expect(await problems('apps/builder/test/x.int.spec.ts', "import { startTestInfra } from '@flightdeck/testing';\nexport const f = startTestInfra;\n")).toEqual([]);
  });

  it('refuses the test lib on the production start path (scripts/), which runs on the local stack', async () => {
    expect(await problems('scripts/x.ts', "import { startTestInfra } from '@flightdeck/testing';\nexport const f = startTestInfra;\n")).toContain(
      'no-restricted-imports',
    );
    expect(await problems('scripts/x.ts', "import { startPostgres } from '@flightdeck/local-stack';\nexport const f = startPostgres;\n")).toEqual([]);
  });

  it('refuses test/ and bench/ code in what ships: a service, a lib, scripts/', async () => {
    const importsTest = (depth: number) => `import { until } from '${'../'.repeat(depth)}test/support/http';\nexport const f = until;\n`;
    expect(await problems('scripts/x.ts', importsTest(1))).toContain('no-restricted-imports');
    expect(await problems('scripts/x.ts', "import { runScenario } from '../bench/run';\nexport const f = runScenario;\n")).toContain('no-restricted-imports');
    expect(await problems('apps/builder/src/jobs/x.ts', importsTest(4))).toContain('no-restricted-imports');
    expect(await problems('libs/messaging/src/x.ts', "import { until } from '../test/support/messaging-harness';\nexport const f = until;\n")).toContain(
      'no-restricted-imports',
    );
  });

  it('lets the dashboard (a browser app) import only the contracts and the client', async () => {
    expect(await problems('apps/dashboard/src/x.tsx', "import { runMain } from '@flightdeck/runtime';\nexport const f = runMain;\n")).toContain(
      '@nx/enforce-module-boundaries',
    );
    expect(await problems('apps/dashboard/src/x.tsx', "import { DeploymentClient } from '@flightdeck/client';\nimport { Deployment } from '@flightdeck/contracts';\nexport const f = [DeploymentClient, Deployment];\n")).toEqual([]);
  });

  it('refuses an app importing another app', async () => {
    expect(await problems('apps/builder/src/jobs/x.ts', "import { GatewayEnv } from '@flightdeck/gateway/src/config/gateway.config';\nexport const g = GatewayEnv;\n")).toContain(
      '@nx/enforce-module-boundaries',
    );
  });

  it('lets a service use the providers lib, and refuses that lib an app', async () => {
    expect(await problems('apps/builder/src/jobs/x.ts', "import { ProviderRegistry } from '@flightdeck/providers';\nexport const r = ProviderRegistry;\n")).toEqual([]);
    expect(await problems('libs/providers/src/x.ts', "import { BuildPipeline } from '@flightdeck/builder/src/build/build-pipeline';\nexport const b = BuildPipeline;\n")).toContain(
      '@nx/enforce-module-boundaries',
    );
  });

  it("lets a lib's own tests use the test lib, never the lib's source", async () => {
    expect(await problems('libs/providers/test/x.int.spec.ts', "import { startFakeDockerEngine } from '@flightdeck/testing';\nexport const f = startFakeDockerEngine;\n")).toEqual([]);
    expect(await problems('libs/providers/src/x.ts', "import { startFakeDockerEngine } from '@flightdeck/testing';\nexport const f = startFakeDockerEngine;\n")).toContain(
      '@nx/enforce-module-boundaries',
    );
  });
});

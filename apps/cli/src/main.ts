// `npm run deploy -- <git URL or local path> [--ref <ref>] [--name <project>] [--skip-validation]`
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { ConfigurationProblem, type Deployment, type SuggestedAction } from '@flightdeck/contracts';
import { deploy, parseDeployArgs } from './deploy.command';
import { FlightdeckClient } from './flightdeck-client';

const token = () => {
  const fromEnv = process.env.FLIGHTDECK_TOKEN ?? process.env.FLIGHTDECK_ADMIN_TOKEN;
  if (fromEnv) return fromEnv;
  const file = join(resolve(process.env.FLIGHTDECK_DATA_DIR ?? '.data'), 'admin-token');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  throw new Error('no token: set FLIGHTDECK_TOKEN (or start the stack with `npm start`, which writes .data/admin-token)');
};

// The catalog's suggested actions (libs/contracts error-catalog.ts), said for a terminal.
const ACTION_WORDS: Record<SuggestedAction, string> = {
  retry: 'deploy again',
  'check-variables': "check the environment's variables",
  'check-build': 'read the build log above',
  'check-source': 'check the repository URL and the ref',
  'reconnect-provider': "check the provider's connection",
  'check-status': 'check GET /api/v1/system/status',
  manual: 'see the message above',
};

// a deployment failed by its pre-flight: one line per variable to fix
const preflightProblems = (d: Deployment): ConfigurationProblem[] => {
  const parsed = z.object({ problems: z.array(ConfigurationProblem) }).safeParse(d.metadata.preflight);
  return parsed.success ? parsed.data.problems : [];
};

async function main() {
  const [command, ...rest] = process.argv.slice(2);
  if (command !== 'deploy') throw new Error(`unknown command ${command ?? ''}; try: deploy <git URL or local path>`);
  const client = new FlightdeckClient(process.env.FLIGHTDECK_URL ?? `http://127.0.0.1:${process.env.FLIGHTDECK_GATEWAY_PORT ?? 3000}`, token());
  const d = await deploy(client, parseDeployArgs(rest));
  if (d.status === 'succeeded') {
    console.log(`\n✔ ${d.status} in ${Math.round((d.durationMs ?? 0) / 100) / 10}s\n  url:     ${d.url}\n  preview: ${d.previewUrl}`);
    process.exit(0);
  }
  const problems = preflightProblems(d);
  if (problems.length) {
    console.error(`\n✖ ${d.status}: ${d.errorCode}: ${problems.length} variable(s) to fix before a build`);
    for (const p of problems) console.error(`  - ${p.key} (${p.kind}): ${p.message}`);
  } else {
    console.error(`\n✖ ${d.status}: ${d.errorCode ?? ''} ${d.errorMessage ?? ''}`);
  }
  if (d.errorClass) console.error(`  ${d.errorClass.userMessage}\n  what to do: ${d.errorClass.actions.map((a) => ACTION_WORDS[a]).join('; ')}`);
  process.exit(1);
}

main().catch((e) => {
  console.error(`✖ ${(e as Error).message}`);
  process.exit(1);
});

import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'dotenv';

const readDotEnv = (file: string): Record<string, string> => (existsSync(file) ? parse(readFileSync(file)) : {});

// The settings `npm start` works from: the shell wins over `<data dir>/.env`, which wins over the
// repository's `.env`. Returns where each came from, for the report at start.
export function operatorEnvironment(repoRoot: string, shell: NodeJS.ProcessEnv = process.env) {
  const fromRepo = readDotEnv(join(repoRoot, '.env'));
  const dataDir = resolve(shell.FLIGHTDECK_DATA_DIR ?? fromRepo.FLIGHTDECK_DATA_DIR ?? './.data');
  const fromDataDir = readDotEnv(join(dataDir, '.env'));
  const env: NodeJS.ProcessEnv = { ...fromRepo, ...fromDataDir, ...shell };
  const files = [join(repoRoot, '.env'), join(dataDir, '.env')].filter(existsSync);
  return { env, files };
}

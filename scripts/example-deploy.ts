import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deploy } from '../apps/cli/src/deploy.command';
import { FlightdeckClient } from '../apps/cli/src/flightdeck-client';

const EXAMPLE = join(__dirname, '..', 'examples', 'hello-node');

// On a fresh data dir, deploy examples/hello-node through the public API, as a user would with
// `npm run deploy`, so a newcomer sees a build, its live log and a URL within the first minutes.
export async function deployExampleOnce(dataDir: string, gatewayUrl: string, token: string, say: (m: string) => void) {
  const marker = join(dataDir, 'example-deployed');
  if (existsSync(marker)) {
    const [, url] = readFileSync(marker, 'utf8').split('\n');
    if (url) say(`example app: ${url}`);
    return;
  }
  const repo = join(dataDir, 'examples', 'hello-node');
  if (!existsSync(join(repo, '.git'))) {
    cpSync(EXAMPLE, repo, { recursive: true });
    const git = (...args: string[]) => execFileSync('git', ['-C', repo, ...args], { stdio: 'pipe' });
    git('init', '-q', '-b', 'main');
    git('add', '-A');
    git('-c', 'user.name=Flightdeck', '-c', 'user.email=example@flightdeck.local', 'commit', '-q', '-m', 'hello-node example');
  }
  say(`deploying the example app from ${repo} (like: npm run deploy -- ${repo})`);
  const client = new FlightdeckClient(gatewayUrl, token);
  const prefix = { log: (line: string) => console.log(`\x1b[2mexample |\x1b[0m ${line}`) } as Console;
  try {
    const d = await deploy(client, { source: repo, name: 'hello' }, prefix);
    if (d.status === 'succeeded') {
      writeFileSync(marker, `${d.id}\n${d.url}\n`);
      say(`example app is live: ${d.url}  (this deployment: ${d.previewUrl})`);
    } else {
      say(`example deployment ended ${d.status}: ${d.errorCode ?? ''} ${d.errorMessage ?? ''}`);
    }
  } catch (e) {
    say(`example deployment failed: ${(e as Error).message}`);
  }
}

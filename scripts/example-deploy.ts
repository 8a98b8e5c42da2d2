import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { type Deployment, ErrorCode, type LogLine, type Result, err, isTerminal } from '@flightdeck/contracts';
import { DeploymentClient } from '@flightdeck/client';

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
  const client = new DeploymentClient({ baseUrl: gatewayUrl, token });
  try {
    const d = await deployAndFollow(client, repo, (line) => console.log(`\x1b[2mexample |\x1b[0m ${line}`));
    if (!d.ok) say(`example deployment failed: ${d.error.code}: ${d.error.message}`);
    else if (d.data.status === 'succeeded') {
      writeFileSync(marker, `${d.data.id}\n${d.data.url}\n`);
      say(`example app is live: ${d.data.url}  (this deployment: ${d.data.previewUrl})`);
    } else {
      say(`example deployment ended ${d.data.status}: ${d.data.errorCode ?? ''} ${d.data.errorMessage ?? ''}`);
    }
  } finally {
    client.close();
  }
}

const formatLine = (l: LogLine) => `${String(l.seq).padStart(5)} ${l.step.padEnd(8)} ${l.level === 'error' ? '\x1b[31m' : ''}${l.message}\x1b[0m`;

// The project `hello` of the example repository (created once), a deployment of its main branch,
// its log followed live to the end: what `flightdeck deploy <repo> --name hello` does.
async function deployAndFollow(client: DeploymentClient, repositoryUrl: string, log: (line: string) => void): Promise<Result<Deployment>> {
  const projects = await client.listProjects();
  if (!projects.ok) return projects;
  let project = projects.data.items.find((p) => p.name === 'hello');
  if (!project) {
    const created = await client.createProject({ name: 'hello', repositoryUrl, defaultBranch: 'main' });
    if (!created.ok) return created;
    project = created.data;
    log(`created project ${project.name}`);
  }
  const triggered = await client.triggerDeployment(project.id, { sourceRef: 'main' }, { idempotencyKey: randomUUID() });
  if (!triggered.ok) return triggered;
  log(`deployment ${triggered.data.id} of ${project.name}@main (${triggered.data.status})`);
  let lastPhase = '';
  const lines = client.streamLogs(triggered.data.id, {
    follow: true,
    onStatus: ({ deployment: d }) => {
      const phase = `${d.status}${d.phase ? `/${d.phase}` : ''}`;
      if (phase !== lastPhase) log(`--> ${phase}${d.progress ? ` ${d.progress}%` : ''}`);
      lastPhase = phase;
    },
  });
  for await (const line of lines) log(formatLine(line));
  const ended = await lines.done;
  if (!ended.ok) return ended;
  const d = await client.getDeployment(triggered.data.id);
  if (d.ok && !isTerminal(d.data.status)) return err(ErrorCode.ServiceUnavailable, `the log ended while the deployment is ${d.data.status}`);
  return d;
}

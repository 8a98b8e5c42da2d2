import { list } from 'tar';
import type { ResolvedVariable } from '@flightdeck/contracts';
import { aDeployJob } from '@flightdeck/testing';
import { BuilderHarness } from './support/builder-harness';
import { GitRepo, npmProject } from './support/git-repo';

jest.setTimeout(120_000);

const SECRET = 'sk_live_Zx9+/a b&c=d%e"f\\g';
const MULTILINE = 'first-secret-line\nsecond-secret-line';

const BUILD_SCRIPT = `
const s = process.env.API_SECRET;
for (let i = 1; i <= 500; i++) console.log('build line ' + i);
console.log('plain: ' + s);
console.log('base64: ' + Buffer.from(s).toString('base64'));
console.log('base64url: ' + Buffer.from(s).toString('base64url'));
console.log('url: ' + encodeURIComponent(s));
console.log('json: ' + JSON.stringify({ s }));
console.log('basic auth: ' + Buffer.from('deploy:' + s).toString('base64'));
console.error('stderr: ' + s);
console.log(process.env.CERT);
console.log('env keys: ' + Object.keys(process.env).sort().join(','));
console.log('public: ' + process.env.PUBLIC_NAME);
`;

const forms = (v: string) => [
  v,
  Buffer.from(v).toString('base64'),
  Buffer.from(v).toString('base64').replace(/=+$/, ''),
  Buffer.from(v).toString('base64url'),
  encodeURIComponent(v),
  JSON.stringify(v).slice(1, -1),
];

describe('a Node app build with secrets', () => {
  let h: BuilderHarness;
  const saved = { ...process.env };
  beforeAll(async () => {
    // the builder's own settings, as a real builder process has them in its environment
    Object.assign(process.env, {
      DATABASE_URL: 'postgres://builder:pw@127.0.0.1:5432/flightdeck',
      NATS_URL: 'nats://127.0.0.1:4222',
      NATS_USER: 'builder',
      NATS_PASSWORD: 'builder-own-nats-password',
      FLIGHTDECK_SECRET_KEY: 'builder-own-secret-key',
      FLIGHTDECK_DATA_DIR: '/should/not/leak',
    });
    h = await BuilderHarness.start();
  });
  afterAll(async () => {
    process.env = saved;
    await h?.stop();
  });

  it('masks every form of a sensitive value in 500+ batched lines numbered without a gap, and builds in a clean environment', async () => {
    const repo = GitRepo.create(
      npmProject(
        {
          scripts: {
            postinstall: `node -e "console.log('install sees NODE_ENV=' + (process.env.NODE_ENV || 'unset'))"`,
            build: 'node build.js',
            start: 'node server.js',
          },
        },
        { 'build.js': BUILD_SCRIPT, 'server.js': 'require("http").createServer((q, s) => s.end("ok")).listen(process.env.PORT)' },
      ),
    );
    const job = aDeployJob({ repositoryUrl: repo.dir });
    const variables: ResolvedVariable[] = [
      { key: 'API_SECRET', value: SECRET, sensitive: true },
      { key: 'CERT', value: MULTILINE, sensitive: true },
      { key: 'PUBLIC_NAME', value: 'visible-value', sensitive: false },
    ];
    h.variables.set(job.environmentId, variables);
    h.provider.onDeploy = async (spec, log) => log(`provider saw ${spec.env.API_SECRET}`, 'warn');
    await h.dispatch(job);

    const result = await h.result(job.deploymentId);

    expect(result).toMatchObject({ outcome: 'succeeded', artifact: { kind: 'node' } });
    const batches = await h.logBatches(job.deploymentId, result.lastSeq);
    const lines = batches.flatMap((b) => b.lines);
    expect(lines.map((l) => l.seq)).toEqual(Array.from({ length: result.lastSeq }, (_, i) => i + 1));
    expect(lines.filter((l) => /^build line \d+$/.test(l.message))).toHaveLength(500);
    expect(batches.length).toBeLessThan(lines.length / 10);

    const everything = await h.rawStreamText(job.deploymentId);
    for (const form of [...forms(SECRET), ...MULTILINE.split('\n'), ...forms(MULTILINE)]) {
      expect(everything).not.toContain(form);
    }
    const messages = lines.map((l) => l.message);
    expect(messages).toEqual(expect.arrayContaining(['plain: ***', 'base64: ***', 'base64url: ***', 'url: ***', 'json: {"s":"***"}', '***', 'public: visible-value']));
    expect(messages.find((m) => m.startsWith('basic auth: '))).not.toContain(Buffer.from(`deploy:${SECRET}`).toString('base64'));
    expect(lines).toContainEqual(expect.objectContaining({ message: 'stderr: ***', level: 'warn', step: 'build', source: 'build' }));
    expect(lines).toContainEqual(expect.objectContaining({ message: 'provider saw ***', level: 'warn', step: 'deploy', source: 'deploy' }));

    const keys = messages.find((m) => m.startsWith('env keys: '))!.slice('env keys: '.length).split(',');
    expect(keys).toEqual(expect.arrayContaining(['API_SECRET', 'CERT', 'PUBLIC_NAME', 'CI', 'HOME', 'PATH', 'NODE_ENV']));
    expect(keys.filter((k) => /^(DATABASE_URL|NATS_|FLIGHTDECK_|LOG_LEVEL|HTTP_PORT|SERVICE_)/.test(k))).toEqual([]);
    // install gets devDependencies: NODE_ENV=production is for the build only
    expect(messages).toContain('install sees NODE_ENV=unset');

    const spec = h.provider.deployed.find((s) => s.deploymentId === job.deploymentId)!;
    expect(spec).toMatchObject({ kind: 'node', startCommand: ['npm', 'run', 'start'] });
    expect(spec.env).toMatchObject({ API_SECRET: SECRET, PUBLIC_NAME: 'visible-value', NODE_ENV: 'production' });
    expect(Object.keys(spec.env).filter((k) => /^(DATABASE_URL|NATS_|FLIGHTDECK_)/.test(k))).toEqual([]);
    const names: string[] = [];
    await list({ file: spec.artifactPath, onReadEntry: (e) => names.push(e.path) });
    expect(names).toEqual(expect.arrayContaining(['./package.json', './server.js', './build.js']));
    expect(names.some((n) => n.startsWith('./.git'))).toBe(false);
    repo.remove();
  });

  it('masks credentials in the repository URL', async () => {
    const job = aDeployJob({ repositoryUrl: 'https://deploy-bot:tok_3xampl3_s3cr3t@127.0.0.1:1/team/app.git' });
    await h.dispatch(job);

    const result = await h.result(job.deploymentId);

    expect(result).toMatchObject({ outcome: 'failed', failure: { code: 'deployment/source-unavailable', step: 'clone' } });
    const everything = await h.rawStreamText(job.deploymentId);
    expect(everything).not.toContain('tok_3xampl3_s3cr3t');
    expect(everything).toContain('https://127.0.0.1:1/team/app.git');
  });
});

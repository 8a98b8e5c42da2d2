import { type BuildResult, type LogLine } from '@flightdeck/contracts';
import { aDeployJob, eventually, getWithHost } from '@flightdeck/testing';
import { ReleaseProcesses } from '../src/provider/release-processes';
import { ProviderModule } from '../src/provider/provider.module';
import { BuilderHarness } from './support/builder-harness';
import { GitRepo, npmProject } from './support/git-repo';

jest.setTimeout(180_000);

const SECRET = 'rt-s3cret-Value-91f2';
// prints on start, on /hello (stdout and stderr), a burst on /flood, a 20,000-character line on /long
const SERVER = `
const key = process.env.API_KEY;
console.log('started with ' + key);
require('node:http').createServer((q, s) => {
  if (q.url === '/hello') { console.log('hello ' + key); console.error('oops on stderr'); }
  if (q.url === '/flood') for (let i = 0; i < 1000; i++) console.log('flood ' + i);
  if (q.url === '/long') console.log('x'.repeat(20000));
  s.end('ok');
}).listen(Number(process.env.PORT), process.env.HOST);
`;

// A release's own output after it went live: lines of source runtime in its deployment's log,
// right after the deploy's last line, masked, bounded, and continued by a restarted process.
describe('runtime logs of a Node release', () => {
  let h: BuilderHarness;
  let edgePort: number;
  let deploymentId: string;
  let result: BuildResult;
  const get = (path: string) => getWithHost(edgePort, `rt-production.localhost:${edgePort}`, path);
  // every line on the stream so far (read for a second past the last one)
  const runtimeLines = async (): Promise<LogLine[]> =>
    (await h.logBatches(deploymentId, Number.MAX_SAFE_INTEGER, 1_000)).flatMap((b) => b.lines).filter((l) => l.seq > result.lastSeq);

  beforeAll(async () => {
    ({ h, edgePort } = await BuilderHarness.withInternalProvider({ healthTimeoutMs: 8_000 }));
    const repo = GitRepo.create(npmProject({ scripts: { start: 'node server.js' } }, { 'server.js': SERVER }), 'app');
    const job = aDeployJob({ projectName: 'rt', repositoryUrl: repo.dir });
    h.variables.set(job.environmentId, [{ key: 'API_KEY', value: SECRET, sensitive: true }]);
    deploymentId = job.deploymentId;
    await h.dispatch(job);
    result = await h.result(deploymentId, 120_000);
    expect(result.outcome).toBe('succeeded');
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('numbers the release\'s output after the deploy\'s last line, as source runtime, masked', async () => {
    expect(await get('/hello')).toMatchObject({ status: 200 });
    const lines = await eventually('the two runtime lines of /hello', async () => {
      const got = await runtimeLines();
      return got.some((l) => l.message === 'oops on stderr') && got;
    });
    expect(lines[0].seq).toBe(result.lastSeq + 1);
    expect(lines.map((l) => l.seq)).toEqual(lines.map((_, i) => result.lastSeq + 1 + i));
    expect(lines.every((l) => l.source === 'runtime' && l.step === 'run')).toBe(true);
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ message: 'hello ***', level: 'info' }),
        expect.objectContaining({ message: 'oops on stderr', level: 'warn' }),
      ]),
    );
    expect(await h.rawStreamText(deploymentId)).not.toContain(SECRET);
  });

  it('cuts a long line and counts a flood past the per-release cap in one line, leaving no gap', async () => {
    expect(await get('/long')).toMatchObject({ status: 200 });
    expect(await get('/flood')).toMatchObject({ status: 200 });
    const lines = await eventually(
      'the flood reported',
      async () => {
        const got = await runtimeLines();
        return got.some((l) => /lines? of output dropped: more than 200 lines in one second/.test(l.message)) && got;
      },
      { timeoutMs: 15_000 },
    );
    const long = lines.find((l) => l.message.startsWith('xxx'))!;
    expect(long.message).toMatch(/^x{8192} …\[11,808 more characters cut\]$/);
    const report = lines.find((l) => /dropped/.test(l.message))!;
    expect(report).toMatchObject({ source: 'system', level: 'warn', step: 'run' });
    const kept = lines.filter((l) => l.message.startsWith('flood ')).length;
    const dropped = Number(/^([\d,]+) line/.exec(report.message)![1].replace(/,/g, ''));
    // nothing silently lost: every line of the burst is either kept or counted
    expect(kept + dropped).toBe(1000);
    expect(lines.map((l) => l.seq)).toEqual(lines.map((_, i) => result.lastSeq + 1 + i));
  });

  it('continues the same seq when a crashed release is restarted', async () => {
    const processes = h.app.get(ReleaseProcesses);
    const pid = processes.pidOf(deploymentId)!;
    process.kill(pid, 'SIGKILL');
    const lines = await eventually(
      'the restarted release\'s first line',
      async () => {
        const got = await runtimeLines();
        return got.some((l) => l.message === 'started with ***') && got;
      },
      { timeoutMs: 30_000 },
    );
    expect(lines.map((l) => l.seq)).toEqual(lines.map((_, i) => result.lastSeq + 1 + i));
  });

  it('continues after the last published line when a restarted builder starts the release again', async () => {
    await h.stopBuilder(h.app);
    await h.startBuilder({ FLIGHTDECK_EDGE_PORT: String(edgePort) }, ProviderModule.forRoot({ healthTimeoutMs: 8_000 }));
    // started at builder start, with no deploy: its first line continues the stream's last seq
    const lines = await eventually(
      'the release\'s first line after the builder restart',
      async () => {
        const got = await runtimeLines();
        return got.filter((l) => l.message === 'started with ***').length === 2 && got;
      },
      { timeoutMs: 30_000 },
    );
    expect(lines.map((l) => l.seq)).toEqual(lines.map((_, i) => result.lastSeq + 1 + i));
    expect(await get('/hello')).toMatchObject({ status: 200 });
  });
});

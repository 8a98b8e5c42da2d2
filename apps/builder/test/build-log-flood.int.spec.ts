import { aDeployJob } from '@flightdeck/testing';
import { BuilderHarness } from './support/builder-harness';
import { GitRepo, npmProject } from './support/git-repo';

jest.setTimeout(120_000);

// the most lines npm prints of its own around a script's output (header, command, blank lines, notices)
const NPM_OWN_LINES = 20;

describe('a build that floods its log', () => {
  let h: BuilderHarness;
  let repo: GitRepo;
  beforeAll(async () => {
    h = await BuilderHarness.start({ FLIGHTDECK_LOG_LINES_PER_SECOND: '2000' });
    repo = GitRepo.create(
      npmProject({
        scripts: {
          // 50,000 lines as fast as node prints them, well under a second on any machine here
          build: `node -e "let s = ''; for (let i = 1; i <= 50000; i++) s += 'flood line ' + i + '\\n'; process.stdout.write(s)"`,
          start: 'node server.js',
        },
      }),
    );
  });
  afterAll(async () => {
    repo?.remove();
    await h?.stop();
  });

  it('keeps the cap per second and stores a system line saying how many lines were dropped, seq without a gap', async () => {
    const job = await h.dispatch(aDeployJob({ repositoryUrl: repo.dir }));
    const result = await h.result(job.deploymentId);
    expect(result.outcome).toBe('succeeded');

    const lines = await h.logLines(job.deploymentId, result.lastSeq);
    expect(lines.map((l) => l.seq)).toEqual(Array.from({ length: result.lastSeq }, (_, i) => i + 1));
    const flood = lines.filter((l) => l.message.startsWith('flood line '));
    const notices = lines.filter((l) => /lines? of output dropped/.test(l.message));
    expect(notices.length).toBeGreaterThan(0);
    for (const n of notices) expect(n).toMatchObject({ source: 'system', level: 'warn', step: 'build' });
    const dropped = notices.reduce((sum, n) => sum + Number(/^([\d,]+) line/.exec(n.message)![1].replace(/,/g, '')), 0);
    // every line printed is either stored or counted in a notice, never lost silently; npm's own
    // lines around the script's output (its '> pkg build' header, the command, blank lines) may fall
    // in a capped second and be counted too: on a loaded CI machine 5 of them did
    expect(dropped - (50_000 - flood.length)).toBeGreaterThanOrEqual(0);
    expect(dropped - (50_000 - flood.length)).toBeLessThanOrEqual(NPM_OWN_LINES);
    expect(flood.length).toBeLessThan(50_000);
    expect(notices[0].message).toMatch(/more than 2,000 lines in one second \(log flood cap\)$/);
  });
});

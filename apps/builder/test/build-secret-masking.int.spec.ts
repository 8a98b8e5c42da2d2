import type { LogLine, ResolvedVariable } from '@flightdeck/contracts';
import { aDeployJob } from '@flightdeck/testing';
import { PIECE } from '../src/masking/base64-pieces';
import { base64Cores } from '../src/masking/secret-forms';
import { BuilderHarness } from './support/builder-harness';
import { GitRepo, npmProject } from './support/git-repo';

jest.setTimeout(180_000);

// Long enough for its base64 to span several wrapped lines.
const WRAPPED = 'sk_live_JYr9Ajd-Xgx0nnonEOMdaKMLTCcJ-jildqBHBBQrid73ExBdc7eORSkM4UHqja8ZOdGEQarAyVCSZdcoXOKLcnm87oTDY23RScARFoloVrVFTv3FcXHkq2V-GBl9fF3x';
const ESCAPED = 'pässwörd-🔑-日本-vlg1IO0dQIcQb7vvDhHwbEVw';
const SLASHED = 'deploy/tok3n/with/slashes/Qb7vvDhH';
// no x, y, "." or "*", so any piece of it left in those lines shows
const STRADDLE = 'Straddle-S3cret-0123456789-QWERTZ';
const MIB = 1024 * 1024;

// The base64 command wraps at 76 columns, PEM at 64, MIME at 76 with CRLF; what comes before the
// secret moves it across the lines.
const FORMS_SH = `
set -e
printf '%s' "$WRAPPED_SECRET" | base64 -w 76
printf 'user=admin\\npassword=%s\\n' "$WRAPPED_SECRET" | base64
echo '-----BEGIN PRIVATE KEY-----'
printf 'xy%s' "$WRAPPED_SECRET" | base64 -w 64
echo '-----END PRIVATE KEY-----'
printf 'z%s\\n' "$WRAPPED_SECRET" | base64 -w 76 | sed 's/$/\\r/'
`;

const BUILD_JS = `
const hex4 = (c) => c.charCodeAt(0).toString(16).padStart(4, '0');
const every = (s) => s.split('').map((c) => '\\\\u' + hex4(c)).join('');
// as Python's json.dumps writes it (ensure_ascii): every non-ASCII UTF-16 unit as \\uXXXX
const asciiJson = (o) => JSON.stringify(o).replace(/[\\u007f-\\uffff]/g, (c) => '\\\\u' + hex4(c));
const { ESCAPED_SECRET, SLASHED_SECRET, STRADDLE_SECRET } = process.env;
console.log('every char escaped: {"token":"' + every(ESCAPED_SECRET) + '"}');
console.log('ensure_ascii: ' + asciiJson({ password: ESCAPED_SECRET }));
console.log('escaped slashes: ' + JSON.stringify({ url: SLASHED_SECRET }).replace(/\\//g, '\\\\/'));
// one line of 1.2 MiB: the secret first straddles the 1 MiB mark, then repeats up to where the
// pipe's chunks put the cut
process.stdout.write('x'.repeat(${MIB} - 10) + (STRADDLE_SECRET + '.').repeat(6000) + 'y'.repeat(100) + '\\n');
console.log('done');
`;

const hex4 = (c: string) => c.charCodeAt(0).toString(16).padStart(4, '0');

// Parts of a line, outside the mask, that still carry PIECE characters of the secret's base64.
const base64Leaks = (secret: string) => {
  const grams = new Set<string>();
  for (const core of base64Cores(secret)) for (let o = 0; o + PIECE <= core.length; o++) grams.add(core.slice(o, o + PIECE));
  return (line: string) =>
    line.split('***').flatMap((part) => Array.from({ length: Math.max(part.length - PIECE + 1, 0) }, (_, o) => part.slice(o, o + PIECE)).filter((g) => grams.has(g)));
};

describe('a build printing its secrets in forms that are not one string', () => {
  let h: BuilderHarness;
  let lines: LogLine[];
  let everything: string;

  beforeAll(async () => {
    h = await BuilderHarness.start();
    const repo = GitRepo.create(
      npmProject(
        { scripts: { build: 'sh forms.sh && node build.js', start: 'node server.js' } },
        { 'forms.sh': FORMS_SH, 'build.js': BUILD_JS, 'server.js': 'require("http").createServer((q, s) => s.end("ok")).listen(process.env.PORT)' },
      ),
    );
    const job = aDeployJob({ repositoryUrl: repo.dir });
    const variables: ResolvedVariable[] = [
      { key: 'WRAPPED_SECRET', value: WRAPPED, sensitive: true },
      { key: 'ESCAPED_SECRET', value: ESCAPED, sensitive: true },
      { key: 'SLASHED_SECRET', value: SLASHED, sensitive: true },
      { key: 'STRADDLE_SECRET', value: STRADDLE, sensitive: true },
    ];
    h.variables.set(job.environmentId, variables);
    await h.dispatch(job);
    const result = await h.result(job.deploymentId, 120_000);
    expect(result).toMatchObject({ outcome: 'succeeded' });
    lines = await h.logLines(job.deploymentId, result.lastSeq);
    expect(lines.map((l) => l.seq)).toEqual(Array.from({ length: result.lastSeq }, (_, i) => i + 1));
    everything = await h.rawStreamText(job.deploymentId);
    repo.remove();
  });
  afterAll(async () => {
    await h?.stop();
  });

  const buildMessages = () => lines.filter((l) => l.step === 'build' && l.source === 'build').map((l) => l.message);

  it('masks base64 wrapped at 76 and 64 columns (the base64 command, PEM, MIME): no line keeps a piece of it', () => {
    const messages = buildMessages();
    expect(messages).toContain('-----BEGIN PRIVATE KEY-----');
    expect(messages.filter((m) => m === '***').length).toBeGreaterThanOrEqual(4);
    expect(messages.flatMap(base64Leaks(WRAPPED))).toEqual([]);
    expect(everything).not.toContain(Buffer.from(WRAPPED).toString('base64').slice(0, 76));
  });

  it('masks JSON with every character \\u-escaped, and as json.dumps writes non-ASCII', () => {
    const messages = buildMessages();
    expect(messages).toEqual(expect.arrayContaining(['every char escaped: {"token":"***"}', 'ensure_ascii: {"password":"***"}']));
    const everyEscaped = ESCAPED.split('').map((c) => `\\u${hex4(c)}`).join('');
    for (const form of [everyEscaped, everyEscaped.slice(0, 36), '\\u00e4ssw\\u00f6rd', 'vlg1IO0dQIcQb7vvDhHwbEVw']) {
      expect(everything).not.toContain(form);
      expect(everything).not.toContain(JSON.stringify(form).slice(1, -1));
    }
  });

  it('masks a value with its slashes escaped', () => {
    expect(buildMessages()).toContain('escaped slashes: {"url":"***"}');
    expect(everything).not.toContain('tok3n');
  });

  it('masks a secret that straddles the 1 MiB cut of an over-long line', () => {
    const start = buildMessages().findIndex((m) => m.startsWith('xxxx'));
    const long = buildMessages().slice(start, buildMessages().indexOf('done'));
    const joined = long.join('');
    // only the filler and the mask are left, every occurrence masked whole
    expect(joined.replace(/[xy.*]/g, '')).toBe('');
    expect(joined.split('***.').length - 1).toBe(6000);
    expect(joined.length).toBe(MIB - 10 + '***.'.length * 6000 + 100);
    expect(everything).not.toMatch(/Straddle|S3cret|QWERTZ/);
  });
});

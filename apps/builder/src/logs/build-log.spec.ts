import type { LogLine } from '@flightdeck/contracts';
import { eventually } from '@flightdeck/testing';
import { SecretMasker } from '../masking/secret-masker';
import { BuildLog } from './build-log';
import { MAX_PENDING_CHARS } from './line-splitter';

const aLog = () => {
  const lines: LogLine[] = [];
  const log = new BuildLog({ add: (l) => lines.push(l) });
  return { log, lines };
};

describe('build log', () => {
  it('numbers lines 1, 2, 3... across steps, sources and streams in the order they were produced', () => {
    const { log, lines } = aLog();
    log.system('clone', 'cloning');
    const out = log.output('build', 'stdout');
    const err = log.output('build', 'stderr');
    out.write('a\nb');
    err.write('warning: x\n');
    out.write('\n');
    log.line('deploy', 'from provider', { source: 'deploy' });
    expect(lines.map((l) => [l.seq, l.step, l.source, l.message])).toEqual([
      [1, 'clone', 'system', 'cloning'],
      [2, 'build', 'build', 'a'],
      [3, 'build', 'build', 'warning: x'],
      [4, 'build', 'build', 'b'],
      [5, 'deploy', 'deploy', 'from provider'],
    ]);
    expect(log.lastSeq).toBe(5);
  });

  it('gives stdout info, stderr warn, and stderr lines that read as errors error', () => {
    const { log, lines } = aLog();
    log.output('install', 'stdout').write('added 1 package\n');
    const err = log.output('install', 'stderr');
    err.write('npm warn deprecated x\nnpm error code E404\n');
    expect(lines.map((l) => l.level)).toEqual(['info', 'warn', 'error']);
  });

  it('masks a whole message before splitting it, so a multi-line secret never leaks line by line', () => {
    const { log, lines } = aLog();
    log.useMasker(new SecretMasker(['top-secret-1\ntop-secret-2']));
    log.system('deploy', 'value:\ntop-secret-1\ntop-secret-2\nend');
    expect(lines.map((l) => l.message)).toEqual(['value:', '***', 'end']);
  });

  it('cuts an overlong line into records only after masking it', () => {
    const { log, lines } = aLog();
    const secret = 'S3CRET-VALUE';
    log.useMasker(new SecretMasker([secret]));
    const long = 'x'.repeat(16 * 1024 - 5) + secret + 'y'.repeat(100);
    log.output('build', 'stdout').write(`${long}\n`);
    expect(lines.length).toBe(2);
    expect(lines.map((l) => l.message).join('')).toBe('x'.repeat(16 * 1024 - 5) + '***' + 'y'.repeat(100));
  });

  describe('a secret that straddles the cut of a line longer than 1 MiB', () => {
    const SECRET = 'sk_live_straddle-0123456789/päss';
    const hex4 = (c: string) => c.charCodeAt(0).toString(16).padStart(4, '0');
    it.each([
      ['plain', SECRET],
      ['base64', Buffer.from(SECRET).toString('base64')],
      ['\\u-escaped', SECRET.split('').map((c) => `\\u${hex4(c)}`).join('')],
      ['with \\/ escapes', SECRET.replace(/\//g, '\\/')],
    ])('is masked in its %s form, and the parts still add up to the line', (_name, form) => {
      const { log, lines } = aLog();
      log.useMasker(new SecretMasker([SECRET]));
      const out = log.output('build', 'stdout');
      const head = 'x'.repeat(MAX_PENDING_CHARS - 10);
      // the first write passes 1 MiB in the middle of the secret; the rest of it comes next
      out.write(head + form.slice(0, 20));
      out.write(form.slice(20) + ' after\n');
      const messages = lines.map((l) => l.message);
      const joined = messages.join('');
      expect(joined.indexOf('*')).toBe(head.length);
      expect(joined.slice(head.length)).toBe('*** after');
      for (const m of messages) expect(m).not.toMatch(/sk_live|straddle|c2tfbGl2|\\u0073\\u006b/);
    });

    it('goes out in parts while the line goes on, without waiting for its end', () => {
      const { log, lines } = aLog();
      log.useMasker(new SecretMasker([SECRET]));
      const out = log.output('build', 'stdout');
      for (let i = 0; i < 40; i++) out.write(`${SECRET}-`.repeat(2_000));
      expect(lines.length).toBeGreaterThan(0);
      out.end();
      const joined = lines.map((l) => l.message).join('');
      expect(joined.replace(/\*\*\*-/g, '')).toBe('');
      expect(joined.length).toBe('***-'.length * 80_000);
    });
  });

  it('keeps the last 20 masked lines of each step for a failure summary', () => {
    const { log } = aLog();
    log.useMasker(new SecretMasker(['hunter22']));
    for (let i = 1; i <= 30; i++) log.line('build', `line ${i} hunter22`);
    log.line('install', 'other step');
    expect(log.lastLines('build')).toEqual(Array.from({ length: 20 }, (_, i) => `line ${i + 11} ***`));
    expect(log.lastLines('install')).toEqual(['other step']);
  });

  describe('a flood of output', () => {
    const aCappedLog = (linesPerSecond: number) => {
      const clock = { now: 1_000_000 };
      const lines: LogLine[] = [];
      const log = new BuildLog({ add: (l) => lines.push(l) }, { firstSeq: 7, linesPerSecond, now: () => clock.now });
      return { log, lines, clock };
    };

    it('keeps the cap per second, drops the rest before numbering, and stores a system line saying how many', () => {
      const { log, lines, clock } = aCappedLog(1_000);
      const out = log.output('build', 'stdout');
      // 50,000 lines in a second, then a quiet line in the next one
      for (let i = 0; i < 50_000; i++) out.write(`line ${i}\n`);
      clock.now += 1_000;
      out.write('after the flood\n');
      log.system('build', 'build done');
      log.end();
      expect(lines.length).toBe(1_000 + 1 + 2);
      expect(lines.map((l) => l.seq)).toEqual(Array.from({ length: lines.length }, (_, i) => 7 + i));
      expect(lines[999].message).toBe('line 999');
      expect(lines[1_000]).toMatchObject({
        seq: 1_007,
        level: 'warn',
        source: 'system',
        step: 'build',
        message: '49,000 lines of output dropped: more than 1,000 lines in one second (log flood cap)',
      });
      expect(lines.slice(1_001).map((l) => l.message)).toEqual(['after the flood', 'build done']);
    });

    it('never drops system lines, and says what it dropped at the end of the log', () => {
      const { log, lines } = aCappedLog(100);
      const out = log.output('install', 'stderr');
      for (let i = 0; i < 150; i++) {
        out.write(`warn ${i}\n`);
        if (i % 50 === 0) log.system('install', `progress ${i}`);
      }
      log.end();
      log.end();
      expect(lines.filter((l) => l.source === 'system').map((l) => l.message)).toEqual([
        'progress 0',
        'progress 50',
        'progress 100',
        '50 lines of output dropped: more than 100 lines in one second (log flood cap)',
      ]);
      expect(lines.length).toBe(100 + 4);
    });

    it('says it once the second is over even when the build prints nothing more', async () => {
      const lines: LogLine[] = [];
      const log = new BuildLog({ add: (l) => lines.push(l) }, { linesPerSecond: 100 });
      const out = log.output('build', 'stdout');
      for (let i = 0; i < 120; i++) out.write(`x${i}\n`);
      expect(lines.length).toBe(100);
      const notice = await eventually('the dropped lines said', () => lines.find((l) => l.source === 'system'), { timeoutMs: 3_000 });
      expect(notice).toMatchObject({ seq: 101, message: '20 lines of output dropped: more than 100 lines in one second (log flood cap)' });
    });
  });
});

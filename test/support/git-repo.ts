import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

// A real git repository the test writes and commits to.
export class GitRepo {
  readonly dir = mkdtempSync(join(tmpdir(), 'fd-repo-'));

  constructor(branch = 'main') {
    this.git('init', '-q', '-b', branch);
  }

  git(...args: string[]) {
    return execFileSync('git', ['-C', this.dir, '-c', 'user.name=Test', '-c', 'user.email=test@example.com', ...args], {
      stdio: 'pipe',
    })
      .toString()
      .trim();
  }

  write(files: Record<string, string>) {
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(dirname(join(this.dir, path)), { recursive: true });
      writeFileSync(join(this.dir, path), content);
    }
    return this;
  }

  commit(message: string): string {
    this.git('add', '-A');
    this.git('commit', '-q', '-m', message);
    return this.git('rev-parse', 'HEAD');
  }
}

const lock = (name: string) =>
  JSON.stringify({ name, version: '1.0.0', lockfileVersion: 3, requires: true, packages: { '': { name, version: '1.0.0' } } });

// A Node server whose build prints `lines` lines and the SECRET variable in plain, base64 and URL-encoded form.
export const nodeApp = (version: string, opts: { lines?: number; listen?: boolean; buildExit?: number; buildSleepS?: number } = {}) => ({
  'package.json': JSON.stringify({
    name: 'e2e-app',
    version: '1.0.0',
    scripts: { build: 'node build.js', start: 'node server.js' },
  }),
  'package-lock.json': lock('e2e-app'),
  'build.js': `
const s = process.env.SECRET || '';
for (let i = 1; i <= ${opts.lines ?? 500}; i++) console.log('build line ' + i);
console.log('plain ' + s);
console.log('b64 ' + Buffer.from(s).toString('base64'));
console.log('url ' + encodeURIComponent(s));
${opts.buildSleepS ? `require('child_process').spawn('sleep', ['${opts.buildSleepS}'], { stdio: 'inherit' }); setTimeout(() => {}, ${opts.buildSleepS * 1000});` : ''}
${opts.buildExit ? `console.error('build broke'); process.exit(${opts.buildExit});` : ''}
`,
  'server.js':
    opts.listen === false
      ? `console.log('not listening'); setInterval(() => {}, 1000);`
      : `require('http').createServer((q, r) => r.end('version ${version}')).listen(process.env.PORT, '127.0.0.1');`,
});

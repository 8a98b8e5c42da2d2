export { GitRepo } from '@flightdeck/testing';

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

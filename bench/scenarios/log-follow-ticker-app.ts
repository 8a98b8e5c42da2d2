// A Node app whose build prints `lines` lines at `rate` lines/s, each stamped with the wall-clock
// epoch ms (sub-ms) at which it was printed: `tick <n> <epoch ms> <padding>`. Its server is
// trivial, so that the deployment ends once the build's log has been followed.

export const TICK_LINE = /^tick (\d+) (\d+\.\d+) /;

const lock = (name: string) =>
  JSON.stringify({ name, version: '1.0.0', lockfileVersion: 3, requires: true, packages: { '': { name, version: '1.0.0' } } }, null, 2);

export function tickerApp(opts: { lines: number; rate: number }): Record<string, string> {
  return {
    'package.json': JSON.stringify(
      { name: 'ticker', version: '1.0.0', private: true, scripts: { build: 'node ticker.js', start: 'node server.js' } },
      null,
      2,
    ),
    'package-lock.json': lock('ticker'),
    'ticker.js': `// ${opts.lines} lines at ${opts.rate} lines/s, each due line printed with the time it was printed
const { performance } = require('node:perf_hooks');
const LINES = ${opts.lines};
const RATE = ${opts.rate};
const now = () => performance.timeOrigin + performance.now();
const padding = ' '.repeat(40).replace(/ /g, 'x');
const start = now();
let printed = 0;
function tick() {
  const due = Math.min(LINES, Math.floor(((now() - start) * RATE) / 1000) + 1);
  let out = '';
  while (printed < due) {
    printed++;
    out += 'tick ' + printed + ' ' + now().toFixed(3) + ' ' + padding + '\\n';
  }
  // stdout is a pipe: synchronous on Linux, so a line leaves when it is stamped
  if (out) process.stdout.write(out);
  if (printed < LINES) setTimeout(tick, 1);
  else console.log('ticker done: ' + printed + ' lines in ' + ((now() - start) / 1000).toFixed(2) + ' s');
}
tick();
`,
    'server.js': `require('node:http').createServer((q, r) => r.end('ticker')).listen(Number(process.env.PORT), '127.0.0.1');\n`,
  };
}

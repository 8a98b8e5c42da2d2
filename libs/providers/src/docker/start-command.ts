// The final stage's CMD in exec form, so that tini's signals reach the server itself: a package
// script run through npm/yarn/pnpm becomes the script's own command when it is a plain one (npm
// would otherwise sit between tini and the server), a line with shell syntax runs under sh -c.

const WORD = /^[\w./@:+,%=-]+$/;
const ASSIGNMENT = /^[A-Za-z_]\w*=/;
const SCRIPT_RUN = /^(?:corepack\s+)?(npm|yarn|pnpm)(?:\s+run)?\s+([\w:.-]+)$/;

const words = (line: string): string[] | undefined => {
  const w = line.trim().split(/\s+/);
  return w.every((x) => WORD.test(x)) ? w : undefined;
};

export function startArgv(line: string, scripts: Record<string, string> = {}, depth = 0): string[] {
  const run = SCRIPT_RUN.exec(line.trim());
  // `npm start` / `yarn start` / `corepack pnpm run start`: the script's own line
  if (run && depth < 3 && run[2] !== 'run' && scripts[run[2]] !== undefined) {
    const inner = startArgv(scripts[run[2]], scripts, depth + 1);
    if (inner[0] !== 'sh') return inner;
    return words(line) ?? ['sh', '-c', line];
  }
  const w = words(line);
  if (!w) return ['sh', '-c', line];
  // FOO=bar node server.js: env sets them and execs the server
  return ASSIGNMENT.test(w[0]) ? ['env', ...w] : w;
}

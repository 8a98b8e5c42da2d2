import { frameworkList } from '@vercel/frameworks';

// Development servers recompile on start and watch files: never a production run command. The
// detector's framework list names each framework's dev command (`react-scripts start`, `vite`,
// `next dev`, `gatsby develop`, `vue-cli-service serve`...); ALWAYS_DEV adds a few it does not.

const words = (cmd: string) => cmd.trim().split(/\s+/).filter(Boolean);

// `cross-env NODE_ENV=x`, `FOO=1`, `npx`, `exec`: what runs is after them
function strip(tokens: string[]): string[] {
  let i = 0;
  while (i < tokens.length && (/^[A-Za-z_][A-Za-z0-9_]*=/.test(tokens[i]) || ['cross-env', 'npx', 'exec', 'env'].includes(tokens[i]))) i++;
  return tokens.slice(i);
}

// "next dev --port $PORT" -> ["next", "dev"]: the command and its subcommand, without options
function commandWords(cmd: string): string[] {
  const out: string[] = [];
  for (const w of strip(words(cmd))) {
    if (w.startsWith('-') || w.includes('$')) break;
    out.push(w);
  }
  return out;
}

const startsWith = (tokens: string[], prefix: string[]) => prefix.length > 0 && prefix.every((w, i) => tokens[i] === w);

// A framework whose dev command is its build command with other flags (`dojo build -m dev -w`,
// `rollup -c -w`) gives no prefix: the flags below tell those apart.
const FRAMEWORK_DEV: string[][] = frameworkList.flatMap((f) => {
  const s = f.settings as { devCommand?: { value?: unknown }; buildCommand?: { value?: unknown } } | undefined;
  const dev = typeof s?.devCommand?.value === 'string' ? commandWords(s.devCommand.value) : [];
  const build = typeof s?.buildCommand?.value === 'string' ? commandWords(s.buildCommand.value) : [];
  return dev.length > 0 && dev.join(' ') !== build.join(' ') ? [dev] : [];
});

// these start a dev server whatever follows them
const ALWAYS_DEV = ['vite dev', 'vite serve', 'webpack serve', 'webpack-dev-server', 'nodemon', 'nuxi dev', 'ts-node-dev', 'tsx watch'].map(words);
const WATCH_FLAGS = ['--watch', '--serve', '--hot'];

// `vite --host` is a dev server, `vite build` and `vite preview` are not: a one-word dev command
// matches when an option or nothing follows it.
function isDev(tokens: string[]): string[] | undefined {
  const always = ALWAYS_DEV.find((p) => startsWith(tokens, p));
  if (always) return always;
  const framework = FRAMEWORK_DEV.find(
    (p) => startsWith(tokens, p) && (p.length > 1 || tokens.length === p.length || tokens[p.length].startsWith('-')),
  );
  if (framework) return framework;
  const flag = tokens.find((t) => WATCH_FLAGS.includes(t));
  return flag ? [tokens[0], flag] : undefined;
}

// `npm run dev`, `yarn dev`, `pnpm run dev`: the script it names
function scriptOf(tokens: string[]): string | undefined {
  const [pm, a, b] = tokens;
  if (pm === 'npm' && (a === 'run' || a === 'run-script')) return b;
  if (pm === 'npm' && a === 'start') return 'start';
  if ((pm === 'yarn' || pm === 'pnpm') && a === 'run') return b;
  if ((pm === 'yarn' || pm === 'pnpm') && a && !a.startsWith('-') && !['install', 'exec', 'dlx', 'build'].includes(a)) return a;
  return undefined;
}

/** the development server a command line starts, as the detector's list names it, if any */
export function devServerIn(cmd: string, scripts: Record<string, string> = {}, seen = new Set<string>()): string | undefined {
  for (const part of cmd.split(/&&|\|\||;|\|/)) {
    const tokens = strip(words(part));
    if (tokens.length === 0) continue;
    const dev = isDev(tokens);
    if (dev) return dev.join(' ');
    const script = scriptOf(tokens);
    if (script && scripts[script] !== undefined && !seen.has(script)) {
      seen.add(script);
      const inner = devServerIn(scripts[script], scripts, seen);
      if (inner) return inner;
    }
  }
  return undefined;
}

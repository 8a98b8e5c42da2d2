import { minimatch } from 'minimatch';
import type { BuildContext } from './build-context';

// What the fake engine checks of a Dockerfile without running it: the instructions the classic
// builder knows, FROM first, every COPY/ADD source present in the context (or an earlier stage for
// --from), and the image config the last stage leaves (user, health check, ports, command) so a test
// can read it back from GET /images/{name}/json as from a real engine.

const INSTRUCTIONS = new Set(['FROM', 'RUN', 'CMD', 'LABEL', 'EXPOSE', 'ENV', 'ADD', 'COPY', 'ENTRYPOINT', 'VOLUME', 'USER', 'WORKDIR', 'ARG', 'ONBUILD', 'STOPSIGNAL', 'HEALTHCHECK', 'SHELL', 'MAINTAINER']);

export interface ImageConfig {
  User: string;
  Env: string[];
  Cmd: string[] | null;
  Entrypoint: string[] | null;
  WorkingDir: string;
  ExposedPorts: Record<string, object>;
  Healthcheck?: { Test: string[]; Interval?: number; Timeout?: number; StartPeriod?: number; Retries?: number };
  StopSignal?: string;
  Labels: Record<string, string>;
}

export interface DockerfileInstruction {
  keyword: string;
  args: string;
  /** the stage it belongs to (0-based) */
  stage: number;
}

export interface CheckedDockerfile {
  instructions: DockerfileInstruction[];
  stages: { from: string; name?: string }[];
  config: ImageConfig;
}

export class DockerfileError extends Error {}

/** logical lines: comments and blank lines dropped, backslash continuations joined */
function logicalLines(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trimEnd();
    if (!cur && (/^\s*#/.test(line) || !line.trim())) continue;
    if (line.endsWith('\\')) cur += `${line.slice(0, -1)} `;
    else {
      out.push((cur + line).trim());
      cur = '';
    }
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

const jsonArray = (s: string): string[] | undefined => {
  if (!s.startsWith('[')) return undefined;
  try {
    const v = JSON.parse(s) as unknown;
    return Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined;
  } catch {
    return undefined;
  }
};

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/;
const nanos = (d: string): number => {
  const m = DURATION.exec(d);
  if (!m) throw new DockerfileError(`time: invalid duration "${d}"`);
  return Number(m[1]) * { ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 }[m[2] as 'ms' | 's' | 'm' | 'h'];
};

/** flags (--from=x, --chown=y) and the remaining words */
function flagsOf(args: string): { flags: Record<string, string>; rest: string } {
  const flags: Record<string, string> = {};
  let rest = args;
  for (;;) {
    const m = /^--([\w-]+)(?:=(\S*))?\s+/.exec(rest);
    if (!m) return { flags, rest };
    flags[m[1]] = m[2] ?? 'true';
    rest = rest.slice(m[0].length);
  }
}

const substitute = (s: string, args: Record<string, string>) => s.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a: string, b: string) => args[a ?? b] ?? '');

export function checkDockerfile(text: string, context: BuildContext, buildArgs: Record<string, string> = {}): CheckedDockerfile {
  const lines = logicalLines(text);
  const globalArgs: Record<string, string> = {};
  const stages: CheckedDockerfile['stages'] = [];
  const instructions: DockerfileInstruction[] = [];
  let config: ImageConfig = emptyConfig();
  for (const line of lines) {
    const m = /^(\S+)\s*(.*)$/.exec(line)!;
    const keyword = m[1].toUpperCase();
    const args = m[2];
    if (!INSTRUCTIONS.has(keyword)) throw new DockerfileError(`dockerfile parse error line: unknown instruction: ${m[1]}`);
    if (keyword === 'ARG' && stages.length === 0) {
      const [k, v] = args.split('=', 2);
      globalArgs[k] = buildArgs[k] ?? v ?? '';
    } else if (keyword === 'FROM') {
      const fm = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      if (!fm) throw new DockerfileError(`FROM requires either one or three arguments`);
      const from = substitute(fm[1], globalArgs);
      if (!from) throw new DockerfileError('base name (' + fm[1] + ') should not be blank');
      stages.push({ from, name: fm[2]?.toLowerCase() });
      config = emptyConfig();
    } else if (stages.length === 0) {
      throw new DockerfileError('no build stage in current context');
    }
    instructions.push({ keyword, args, stage: Math.max(0, stages.length - 1) });
    if (stages.length) applyInstruction(keyword, args, config, stages, context);
  }
  if (!stages.length) throw new DockerfileError('the Dockerfile (Dockerfile) cannot be empty');
  return { instructions, stages, config };
}

const emptyConfig = (): ImageConfig => ({ User: '', Env: [], Cmd: null, Entrypoint: null, WorkingDir: '', ExposedPorts: {}, Labels: {} });

function applyInstruction(keyword: string, args: string, config: ImageConfig, stages: CheckedDockerfile['stages'], context: BuildContext): void {
  switch (keyword) {
    case 'USER':
      config.User = args;
      break;
    case 'WORKDIR':
      config.WorkingDir = args.startsWith('/') ? args : `${config.WorkingDir || '/'}/${args}`.replace(/\/+/g, '/');
      break;
    case 'ENV':
      for (const pair of args.match(/(\w+)=("[^"]*"|\S+)/g) ?? []) config.Env.push(pair.replace(/"/g, ''));
      break;
    case 'EXPOSE':
      for (const p of args.split(/\s+/)) config.ExposedPorts[p.includes('/') ? p : `${p}/tcp`] = {};
      break;
    case 'CMD':
    case 'ENTRYPOINT': {
      const argv = jsonArray(args) ?? ['/bin/sh', '-c', args];
      if (keyword === 'CMD') config.Cmd = argv;
      else config.Entrypoint = argv;
      break;
    }
    case 'STOPSIGNAL':
      config.StopSignal = args;
      break;
    case 'LABEL':
      for (const pair of args.match(/([\w.-]+)=("[^"]*"|\S+)/g) ?? []) {
        const [k, v] = pair.split('=', 2);
        config.Labels[k] = v.replace(/"/g, '');
      }
      break;
    case 'HEALTHCHECK': {
      const { flags, rest } = flagsOf(args);
      if (/^NONE$/i.test(rest)) {
        config.Healthcheck = { Test: ['NONE'] };
        break;
      }
      const cmd = /^CMD\s+(.*)$/i.exec(rest);
      if (!cmd) throw new DockerfileError('Unknown type "' + rest.split(/\s+/)[0] + '" in HEALTHCHECK (try CMD)');
      const argv = jsonArray(cmd[1]);
      config.Healthcheck = {
        Test: argv ? ['CMD', ...argv] : ['CMD-SHELL', cmd[1]],
        ...(flags.interval ? { Interval: nanos(flags.interval) } : {}),
        ...(flags.timeout ? { Timeout: nanos(flags.timeout) } : {}),
        ...(flags['start-period'] ? { StartPeriod: nanos(flags['start-period']) } : {}),
        ...(flags.retries ? { Retries: Number(flags.retries) } : {}),
      };
      break;
    }
    case 'COPY':
    case 'ADD':
      checkCopy(keyword, args, stages, context);
      break;
  }
}

function checkCopy(keyword: string, args: string, stages: CheckedDockerfile['stages'], context: BuildContext): void {
  const { flags, rest } = flagsOf(args);
  const parts = jsonArray(rest) ?? rest.split(/\s+/);
  if (parts.length < 2) throw new DockerfileError(`${keyword} requires at least two arguments, but only one was provided. Destination could not be determined`);
  const sources = parts.slice(0, -1);
  if (flags.from !== undefined) {
    const earlier = stages.slice(0, -1);
    const byIndex = /^\d+$/.test(flags.from) && Number(flags.from) < earlier.length;
    // not an earlier stage: an image reference (pulled by a real engine)
    if (!byIndex && !earlier.some((s) => s.name === flags.from.toLowerCase()) && !/[:/]/.test(flags.from)) {
      throw new DockerfileError(`invalid from flag value ${flags.from}: pull access denied for ${flags.from}, repository does not exist or may require 'docker login'`);
    }
    return;
  }
  if (flags.link) throw new DockerfileError('the --link flag on COPY needs BuildKit: the classic builder does not know it');
  for (const src of sources) {
    if (keyword === 'ADD' && /^https?:\/\//.test(src)) continue;
    const found = /[*?[]/.test(src) ? context.list().some((f) => minimatch(f, src.replace(/^\.\//, ''), { dot: true })) : context.has(src);
    if (!found) throw new DockerfileError(`${keyword} failed: file not found in build context or excluded by .dockerignore: stat ${src}: file does not exist`);
  }
}

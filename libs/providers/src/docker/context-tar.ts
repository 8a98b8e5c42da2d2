import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { createGzip } from 'node:zlib';
import ignore from '@balena/dockerignore';
import { Header, c as tarCreate } from 'tar';

/** a file the build context gets that the source tree does not have (the generated Dockerfile) */
export interface ExtraFile {
  path: string;
  content: string;
}

/** the .dockerignore rules that apply: the repository's own, then ours */
export function ignoreRules(dir: string, extra: string[] = []): string[] {
  const file = join(dir, '.dockerignore');
  const own = existsSync(file) ? readFileSync(file, 'utf8').split(/\r?\n/) : [];
  return [...own, ...extra].map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
}

function extraEntries(files: ExtraFile[]): Buffer {
  const blocks: Buffer[] = [];
  for (const f of files) {
    const data = Buffer.from(f.content);
    const header = Buffer.alloc(512);
    new Header({ path: f.path, mode: 0o644, size: data.length, mtime: new Date(0), type: 'File', uid: 0, gid: 0 }).encode(header, 0);
    blocks.push(header, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  return Buffer.concat(blocks);
}

// The build context as POST /build takes it: a gzip'd tar of the folder less what .dockerignore
// excludes (the client's job: the engine copies whatever it receives), our extra files first.
export function contextTar(dir: string, rules: string[], extra: ExtraFile[] = [], only?: string[]): Readable {
  const keep = ignore({ ignorecase: false }).add(rules).createFilter();
  const top = (only ?? readdirSync(dir)).filter((name) => keep(name));
  const out = new PassThrough();
  out.write(extraEntries(extra));
  if (top.length) {
    const pack = tarCreate({ cwd: dir, portable: true, filter: (path: string) => keep(path.replace(/^\.\//, '')) }, top);
    pack.on('error', (e: unknown) => out.destroy(e as Error));
    (pack as unknown as Readable).pipe(out);
  } else {
    out.end(Buffer.alloc(1024)); // an empty archive's end
  }
  const gz = createGzip();
  out.on('error', (e) => gz.destroy(e));
  return out.pipe(gz);
}

import { Parser, type ReadEntry } from 'tar';

/** a build context as the engine received it: every regular file's bytes, by path (no leading ./) */
export class BuildContext {
  constructor(readonly files: ReadonlyMap<string, Buffer>) {}

  /** paths, sorted */
  list(): string[] {
    return [...this.files.keys()].sort();
  }

  has(path: string): boolean {
    const p = normalize(path);
    if (p === '' || this.files.has(p)) return true;
    for (const k of this.files.keys()) if (k.startsWith(`${p}/`)) return true;
    return false;
  }

  text(path: string): string | undefined {
    return this.files.get(normalize(path))?.toString('utf8');
  }
}

const normalize = (p: string) => p.replace(/^(\.\/)+/, '').replace(/^\/+/, '').replace(/\/+$/, '').replace(/^\.$/, '');

// The body of POST /build: a tar archive, gzip'd or not (the tar parser detects which).
export function readBuildContext(body: Buffer): Promise<BuildContext> {
  return new Promise((resolve, reject) => {
    const files = new Map<string, Buffer>();
    const parser = new Parser({
      onReadEntry: (entry: ReadEntry) => {
        if (entry.type !== 'File' && entry.type !== 'OldFile') {
          entry.resume();
          return;
        }
        const chunks: Buffer[] = [];
        entry.on('data', (c: Buffer) => chunks.push(c));
        entry.on('end', () => files.set(normalize(entry.path), Buffer.concat(chunks)));
      },
    });
    parser.on('error', reject);
    parser.on('end', () => resolve(new BuildContext(files)));
    parser.end(body);
  });
}

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as tar from 'tar';

/** static artifacts (.tar.gz of the files at the root, as the builder packs a static site) in temp dirs, removed by cleanup */
export function staticArtifacts(): { make(files: Record<string, string>): string; cleanup(): void } {
  const dirs: string[] = [];
  return {
    make(files) {
      const dir = mkdtempSync(join(tmpdir(), 'static-artifact-'));
      dirs.push(dir);
      for (const [path, text] of Object.entries(files)) {
        mkdirSync(dirname(join(dir, 'out', path)), { recursive: true });
        writeFileSync(join(dir, 'out', path), text);
      }
      tar.create({ gzip: true, sync: true, file: join(dir, 'site.tar.gz'), cwd: join(dir, 'out') }, Object.keys(files));
      return join(dir, 'site.tar.gz');
    },
    cleanup() {
      for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
    },
  };
}

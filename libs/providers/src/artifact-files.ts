import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Parser, type ReadEntry } from 'tar';

/** one file of a packed artifact, with the digests hosted platforms ask for */
export interface ArtifactFile {
  /** relative, with / separators, no leading ./ */
  path: string;
  data: Buffer;
  sha1: string;
  size: number;
}

/**
 * The regular files of a .tar.gz artifact, read into memory (a static site's output: platforms that
 * take files by digest, Vercel and Netlify, upload each one). Refuses one over maxBytes in all.
 */
export function readArtifactFiles(archive: string, maxBytes = 512 * 1024 * 1024): Promise<ArtifactFile[]> {
  return new Promise((resolve, reject) => {
    const files: ArtifactFile[] = [];
    let total = 0;
    const parser = new Parser({
      onReadEntry: (entry: ReadEntry) => {
        if (entry.type !== 'File') return entry.resume();
        const path = entry.path.replace(/^(\.\/)+/, '');
        const chunks: Buffer[] = [];
        entry.on('data', (c: Buffer) => {
          total += c.length;
          if (total > maxBytes) return parser.abort(new Error(`the artifact holds more than ${maxBytes} bytes`));
          chunks.push(c);
        });
        entry.on('end', () => {
          const data = Buffer.concat(chunks);
          files.push({ path, data, sha1: createHash('sha1').update(data).digest('hex'), size: data.length });
        });
      },
    });
    parser.on('end', () => resolve(files.sort((a, b) => a.path.localeCompare(b.path))));
    parser.on('error', reject);
    parser.on('abort', reject);
    createReadStream(archive)
      .on('error', reject)
      .pipe(parser as unknown as NodeJS.WritableStream);
  });
}

import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { create as createTar } from 'tar';
import type { Artifact } from '@flightdeck/contracts';
import type { AppKind } from '../build/app-kind';

export interface PackRequest {
  deploymentId: string;
  kind: AppKind;
  /** the directory whose contents become the archive's root */
  dir: string;
  signal: AbortSignal;
}

export interface PackedArtifact {
  artifact: Artifact;
  path: string;
}

const VCS_DIR = /^(\.\/)?\.git(\/|$)/;

// Local artifact store: FLIGHTDECK_DATA_DIR/artifacts/<deploymentId>.tar.gz. An archive is written
// under a temporary name and renamed, so the final path only ever holds a complete archive.
export class ArtifactStore {
  constructor(private readonly root: string) {}

  pathFor(deploymentId: string): string {
    return join(this.root, `${deploymentId}.tar.gz`);
  }

  async pack(req: PackRequest): Promise<PackedArtifact> {
    await mkdir(this.root, { recursive: true });
    const path = this.pathFor(req.deploymentId);
    const partial = join(this.root, `.${req.deploymentId}.${randomUUID()}.partial`);
    const hash = createHash('sha256');
    const hashing = new Transform({
      transform(chunk: Buffer, _enc, done) {
        hash.update(chunk);
        done(null, chunk);
      },
    });
    try {
      const archive = createTar({ gzip: true, cwd: req.dir, portable: true, filter: (p) => !VCS_DIR.test(p) }, ['.']);
      await pipeline(archive, hashing, createWriteStream(partial), { signal: req.signal });
      await rename(partial, path);
    } catch (e) {
      await rm(partial, { force: true });
      throw e;
    }
    const { size } = await stat(path);
    return { path, artifact: { id: req.deploymentId, sha256: hash.digest('hex'), sizeBytes: size, kind: req.kind } };
  }
}

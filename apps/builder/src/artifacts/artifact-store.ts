import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
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
  /** the commit it was built from: a later attempt reuses the artifact only for the same commit */
  commitSha?: string;
  /** paths (as tar names them, `./x/y`) left out besides .git */
  exclude?: RegExp;
}

export interface PackedArtifact {
  artifact: Artifact;
  path: string;
}

export interface StoredArtifact extends PackedArtifact {
  commitSha: string | null;
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
    const out = createWriteStream(partial);
    try {
      const archive = createTar({ gzip: true, cwd: req.dir, portable: true, filter: (p) => !VCS_DIR.test(p) && !req.exclude?.test(p) }, ['.']);
      await pipeline(archive, hashing, out, { signal: req.signal });
      await rename(partial, path);
    } catch (e) {
      // an abort can come before the file is even open: removed only once the stream has closed it
      if (!out.closed) await new Promise<void>((resolve) => out.once('close', () => resolve()));
      await rm(partial, { force: true });
      throw e;
    }
    const { size } = await stat(path);
    const artifact: Artifact = { id: req.deploymentId, sha256: hash.digest('hex'), sizeBytes: size, kind: req.kind };
    // what the archive is, beside it: a next attempt of the deployment on this host finds it there
    const manifest = join(this.root, `.${req.deploymentId}.${randomUUID()}.json`);
    await writeFile(manifest, JSON.stringify({ artifact, commitSha: req.commitSha ?? null }));
    await rename(manifest, this.manifestFor(req.deploymentId));
    return { path, artifact };
  }

  /** the complete archive a deployment's earlier attempt packed on this host, if any */
  async stored(deploymentId: string): Promise<StoredArtifact | undefined> {
    try {
      const { artifact, commitSha } = JSON.parse(await readFile(this.manifestFor(deploymentId), 'utf8')) as { artifact: Artifact; commitSha: string | null };
      const path = this.pathFor(deploymentId);
      const { size } = await stat(path);
      return size === artifact.sizeBytes && artifact.id === deploymentId ? { path, artifact, commitSha } : undefined;
    } catch {
      return undefined;
    }
  }

  private manifestFor(deploymentId: string): string {
    return join(this.root, `${deploymentId}.json`);
  }
}

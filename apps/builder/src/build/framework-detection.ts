import { realpathSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { type Framework, frameworkList } from '@vercel/frameworks';
import { LocalFileSystemDetector, detectFrameworkRecord } from '@vercel/fs-detectors';
import { buildFailed } from './step-errors';

export type DetectedFramework = Framework & { detectedVersion?: string };

/** whether a path, symlinks resolved, is root or inside it (false when it does not exist) */
export function isInside(root: string, path: string): boolean {
  try {
    const rel = relative(realpathSync(root), realpathSync(resolve(root, path)));
    return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
  } catch {
    return false;
  }
}

// The repository is strangers' files read by the builder itself: a symlink that leaves it (to
// the builder's own config, say) reads as absent instead of being followed.
class RepositoryFiles extends LocalFileSystemDetector {
  constructor(private readonly root: string) {
    super(root);
  }

  private inside(name: string): boolean {
    return isInside(this.root, name);
  }

  override async _hasPath(name: string) {
    return this.inside(name) && super._hasPath(name);
  }
  override async _isFile(name: string) {
    return this.inside(name) && super._isFile(name);
  }
  override async _readFile(name: string) {
    if (!this.inside(name)) throw Object.assign(new Error(`${name} leaves the repository`), { code: 'ENOENT' });
    return super._readFile(name);
  }
}

export const frameworkBySlug = (slug: string): Framework | undefined => frameworkList.find((f) => f.slug === slug);

/** the framework named by the environment's `framework` setting; an unknown name fails the build naming some that exist */
export function forcedFramework(slug: string): Framework {
  const found = frameworkBySlug(slug);
  if (found) return found;
  const known = frameworkList.map((f) => f.slug).filter((s): s is string => !!s);
  throw buildFailed('install', `the framework setting "${slug}" is not a framework the detector knows; known ones include ${known.slice(0, 30).join(', ')}`);
}

// The detector's own rules (packages in package.json, config files), first match wins, with the
// version range package.json asks for.
export async function detectFramework(dir: string): Promise<DetectedFramework | null> {
  return detectFrameworkRecord({ fs: new RepositoryFiles(dir), frameworkList, useExperimentalFrameworks: false });
}

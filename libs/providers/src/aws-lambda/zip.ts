import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';
import * as tar from 'tar';

// A Lambda deployment package is a zip; the build's artifact is a .tar.gz. No zip library is among
// our dependencies, and writing one is small: each file deflated (node:zlib), a local header per
// entry, a central directory, the end record (PKWARE APPNOTE 4.3; no zip64: Lambda takes 50 MB).

// MS-DOS date and time of 1980-01-01 00:00 (date in the high half): fixed, so one tree zips to one digest
const DOS_EPOCH = 0x00210000;

export function zipFiles(files: readonly { name: string; data: Buffer; mode?: number }[]): Buffer {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const f of files) {
    const name = Buffer.from(f.name, 'utf8');
    const deflated = deflateRawSync(f.data);
    const stored = deflated.length >= f.data.length;
    const body = stored ? f.data : deflated;
    const crc = crc32(f.data) >>> 0;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed: 2.0
    local.writeUInt16LE(0x0800, 6); // names are UTF-8
    local.writeUInt16LE(stored ? 0 : 8, 8);
    local.writeUInt32LE(DOS_EPOCH, 10);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(f.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    locals.push(local, name, body);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE((3 << 8) | 20, 4); // made by: unix, so the external attributes carry the mode
    entry.writeUInt16LE(20, 6);
    entry.writeUInt16LE(0x0800, 8);
    entry.writeUInt16LE(stored ? 0 : 8, 10);
    entry.writeUInt32LE(DOS_EPOCH, 12);
    entry.writeUInt32LE(crc, 16);
    entry.writeUInt32LE(body.length, 20);
    entry.writeUInt32LE(f.data.length, 24);
    entry.writeUInt16LE(name.length, 28);
    entry.writeUInt32LE((((f.mode ?? 0o644) | 0o100000) << 16) >>> 0, 38);
    entry.writeUInt32LE(offset, 42);
    central.push(entry, name);
    offset += 30 + name.length + body.length;
  }
  const directory = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/** every regular file below dir, sorted, with its path relative to dir (forward slashes) */
async function filesOf(dir: string): Promise<{ name: string; data: Buffer; mode: number }[]> {
  const out: { name: string; data: Buffer; mode: number }[] = [];
  for (const entry of (await readdir(dir, { recursive: true, withFileTypes: true })).sort((a, b) => join(a.parentPath, a.name).localeCompare(join(b.parentPath, b.name)))) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    out.push({ name: relative(dir, path).split(sep).join('/'), data: await readFile(path), mode: (await stat(path)).mode & 0o777 });
  }
  return out;
}

/** the build's artifact (.tar.gz) repacked as a zip */
export async function zipOfArtifact(artifact: string): Promise<{ zip: Buffer; files: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'fd-lambda-zip-'));
  try {
    await tar.x({ file: artifact, cwd: dir, preservePaths: false, noChmod: false });
    const files = await filesOf(dir);
    return { zip: zipFiles(files), files: files.length };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

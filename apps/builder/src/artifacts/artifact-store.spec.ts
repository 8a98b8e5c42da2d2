import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { list } from 'tar';
import { ArtifactStore } from './artifact-store';

describe('artifact store', () => {
  let root: string;
  beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'fd-artifacts-'))));
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const entries = async (file: string) => {
    const names: string[] = [];
    await list({ file, onReadEntry: (e) => names.push(e.path) });
    return names;
  };

  it('packs a directory without its .git into a .tar.gz whose sha256 and size it reports', async () => {
    const app = join(root, 'app');
    mkdirSync(join(app, '.git'), { recursive: true });
    mkdirSync(join(app, 'node_modules', 'x'), { recursive: true });
    writeFileSync(join(app, '.git', 'HEAD'), 'ref');
    writeFileSync(join(app, 'server.js'), 'console.log(1)');
    writeFileSync(join(app, 'node_modules', 'x', 'index.js'), '');
    const store = new ArtifactStore(join(root, 'artifacts'));
    const id = '0b6c8f7e-5d7e-4b51-9c41-2b3c0c7f6b11';

    const { path, artifact } = await store.pack({ deploymentId: id, kind: 'node', dir: app, signal: new AbortController().signal });

    expect(path).toBe(join(root, 'artifacts', `${id}.tar.gz`));
    const bytes = readFileSync(path);
    expect(artifact).toEqual({ id, kind: 'node', sizeBytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') });
    const names = await entries(path);
    expect(names).toEqual(expect.arrayContaining(['./server.js', './node_modules/x/index.js']));
    expect(names.some((n) => n.includes('.git'))).toBe(false);
    // beside it what it is, for a next attempt of the deployment on this host; no temporary file left
    expect(readdirSync(join(root, 'artifacts')).sort()).toEqual([`${id}.json`, `${id}.tar.gz`]);
  });

  it('finds a stored artifact with the commit it was built from, and nothing for a deployment it never packed', async () => {
    const app = join(root, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'index.html'), '<h1>hi</h1>');
    const store = new ArtifactStore(join(root, 'artifacts'));
    const packed = await store.pack({ deploymentId: 'd1', kind: 'static', dir: app, signal: new AbortController().signal, commitSha: 'abc123' });
    expect(await store.stored('d1')).toEqual({ ...packed, commitSha: 'abc123' });
    expect(await store.stored('d2')).toBeUndefined();
    // an archive that is not the one described (cut short) is not reused
    writeFileSync(packed.path, 'cut');
    expect(await store.stored('d1')).toBeUndefined();
  });

  it('leaves no partial archive behind when packing is aborted', async () => {
    const app = join(root, 'app');
    mkdirSync(app);
    for (let i = 0; i < 200; i++) writeFileSync(join(app, `f${i}.txt`), 'x'.repeat(10_000));
    const store = new ArtifactStore(join(root, 'artifacts'));
    const ctl = new AbortController();
    const packing = store.pack({ deploymentId: 'd', kind: 'static', dir: app, signal: ctl.signal });
    ctl.abort();
    await expect(packing).rejects.toThrow();
    expect(readdirSync(join(root, 'artifacts'))).toEqual([]);
  });
});

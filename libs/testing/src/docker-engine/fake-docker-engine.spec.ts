import { PassThrough } from 'node:stream';
import Docker from 'dockerode';
import { Header } from 'tar';
import { type FakeDockerEngine, startFakeDockerEngine } from './fake-docker-engine';

// The fake answers dockerode (the client the provider uses) the way the Engine API documents.

/** an uncompressed tar of in-memory files */
function tarOf(files: Record<string, string>): Buffer {
  const blocks: Buffer[] = [];
  for (const [path, text] of Object.entries(files)) {
    const data = Buffer.from(text);
    const h = new Header({ path, mode: 0o644, size: data.length, mtime: new Date(0), type: 'File', uid: 0, gid: 0 });
    const block = Buffer.alloc(512);
    h.encode(block, 0);
    blocks.push(block, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  return Buffer.concat([...blocks, Buffer.alloc(1024)]);
}

const follow = (docker: Docker, stream: NodeJS.ReadableStream) =>
  new Promise<Record<string, unknown>[]>((resolve, reject) => docker.modem.followProgress(stream, (err, out) => (err ? reject(err) : resolve(out))));

describe('the fake Docker engine', () => {
  let engine: FakeDockerEngine;
  let docker: Docker;

  beforeAll(async () => {
    engine = await startFakeDockerEngine();
    docker = new Docker({ socketPath: engine.dockerHost.slice('unix://'.length) });
  });
  afterAll(() => engine.stop());

  it('answers /_ping and refuses an API version newer than its own', async () => {
    await expect(docker.ping()).resolves.toEqual(Buffer.from('OK'));
    const tooNew = new Docker({ socketPath: engine.dockerHost.slice(7), version: 'v1.99' });
    await expect(tooNew.version()).rejects.toMatchObject({ statusCode: 400, json: { message: 'client version 1.99 is too new. Maximum supported API version is 1.47' } });
  });

  it('builds from a tar context, streaming steps, and ends a COPY of a missing file with errorDetail', async () => {
    const ok = await follow(docker, await docker.buildImage(Readable(tarOf({ Dockerfile: 'FROM node:22\nCOPY app.js ./\nUSER node\nCMD ["node","app.js"]\n', 'app.js': '' })), { t: 'app:1' }));
    expect(ok.map((o) => o.stream).filter(Boolean)).toContain('Step 2/4 : COPY app.js ./\n');
    expect((await docker.getImage('app:1').inspect()).Config.User).toBe('node');

    const bad = await follow(docker, await docker.buildImage(Readable(tarOf({ Dockerfile: 'FROM node:22\nCOPY package-lock.json ./\n' })), { t: 'app:2' }));
    expect(bad.at(-1)).toEqual({
      errorDetail: { message: 'COPY failed: file not found in build context or excluded by .dockerignore: stat package-lock.json: file does not exist' },
      error: 'COPY failed: file not found in build context or excluded by .dockerignore: stat package-lock.json: file does not exist',
    });
    expect(engine.builds.map((b) => b.context.list())).toEqual([['Dockerfile', 'app.js'], ['Dockerfile']]);
  });

  it('runs a container on its published port, streams its logs multiplexed, refuses to remove it while it runs', async () => {
    const c = await docker.createContainer({ Image: 'app:1', name: 'web', Env: ['PORT=3000'], HostConfig: { PortBindings: { '3000/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] } } });
    await c.start();
    const port = (await c.inspect()).NetworkSettings.Ports['3000/tcp'][0].HostPort;
    await expect(fetch(`http://127.0.0.1:${port}/`).then((r) => r.text())).resolves.toBe('hello from web (app:1)\n');

    const raw = (await c.logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer;
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (d: Buffer) => chunks.push(d));
    docker.modem.demuxStream(Readable(raw), out, new PassThrough());
    await new Promise((r) => setImmediate(r));
    expect(Buffer.concat(chunks).toString()).toBe('listening on port 3000\n');

    await expect(c.remove()).rejects.toMatchObject({ statusCode: 409 });
    await c.stop();
    await expect(c.wait()).resolves.toEqual({ StatusCode: 0, Error: null });
    await c.remove();
    await expect(c.inspect()).rejects.toMatchObject({ statusCode: 404, json: { message: `No such container: ${c.id}` } });
  });
});

function Readable(buf: Buffer): NodeJS.ReadableStream {
  const s = new PassThrough();
  s.end(buf);
  return s;
}

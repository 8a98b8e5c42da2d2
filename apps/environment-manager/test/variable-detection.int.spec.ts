import { randomUUID } from 'node:crypto';
import { type AddressInfo, type Socket, createServer } from 'node:net';
import { type DetectedVariableStatus, ErrorCode, detectVariables, setVariable } from '@flightdeck/contracts';
import { GitRepo, eventually } from '@flightdeck/testing';
import { RepositoryReadError, RepositoryReader } from '../src/detection/repository-reader';
import { EnvironmentManagerHarness } from './support/environment-manager-harness';

jest.setTimeout(120_000);

const PACKAGE_JSON = JSON.stringify({
  name: 'shop',
  dependencies: {
    next: '15.0.0',
    react: '19.0.0',
    'next-auth': '4.24.0',
    '@prisma/client': '5.0.0',
    openai: '4.0.0',
  },
  devDependencies: { prisma: '5.0.0' },
});
const ENV_EXAMPLE = [
  '# OAuth app from github.com/settings/developers',
  'GITHUB_CLIENT_ID=',
  'GITHUB_CLIENT_SECRET=',
  '# where uploads go',
  'UPLOAD_BUCKET=shop-uploads',
  '',
].join('\n');
const OPENAI_BAD = `sk-ant-api03-${'z'.repeat(40)}`;

describe('variable detection from the project repository', () => {
  let h: EnvironmentManagerHarness;
  const repos: GitRepo[] = [];
  const repo = (files: Record<string, string>) => {
    const r = GitRepo.create(files);
    repos.push(r);
    return r;
  };

  beforeAll(async () => {
    h = await EnvironmentManagerHarness.start();
  });
  afterAll(async () => {
    await h?.stop();
    for (const r of repos) r.remove();
  });

  const detect = async (projectId: string, environmentId: string, generate = false) =>
    h.bus.request(detectVariables, { projectId, environmentId, generate });

  it('lists what the default branch needs, each with whether it is set and whether its value passes the rule', async () => {
    const source = repo({ 'package.json': PACKAGE_JSON, '.env.example': ENV_EXAMPLE, 'README.md': '# shop' });
    source.branch('feature');
    source
      .write({ 'package.json': JSON.stringify({ dependencies: { mongoose: '8.0.0' } }) })
      .commit('not on the default branch');
    source.checkout('main');
    const { project, production } = await h.project('detect-shop', source.dir);
    const set = (key: string, value: string, sensitive = true) =>
      h.bus.request(setVariable, { environmentId: production.id, key, value, sensitive });
    await set('DATABASE_URL', 'postgresql://shop:pw@db.example.com:5432/shop');
    await set('OPENAI_API_KEY', OPENAI_BAD);
    await set('UPLOAD_BUCKET', 'shop-uploads', false);

    const r = await detect(project.id, production.id);
    if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
    expect(r.data).toMatchObject({
      framework: 'nextjs',
      commit: source.head(),
      files: ['package.json', '.env.example'],
      warnings: [],
    });
    const by = Object.fromEntries(r.data.items.map((i) => [i.key, i])) as Record<
      string,
      DetectedVariableStatus
    >;
    expect(Object.keys(by).sort()).toEqual(
      [
        'DATABASE_URL',
        'GITHUB_CLIENT_ID',
        'GITHUB_CLIENT_SECRET',
        'NEXTAUTH_SECRET',
        'NEXTAUTH_URL',
        'NEXT_PUBLIC_APP_URL',
        'OPENAI_API_KEY',
        'UPLOAD_BUCKET',
      ].sort(),
    );
    expect(by.DATABASE_URL).toMatchObject({
      set: true,
      valid: true,
      required: true,
      sensitive: true,
      sources: ['dependency @prisma/client'],
    });
    expect(by.OPENAI_API_KEY).toMatchObject({
      set: true,
      valid: false,
      message: 'OPENAI_API_KEY must be an OpenAI API key, but it is an Anthropic key (sk-ant-…)',
    });
    expect(by.NEXTAUTH_SECRET).toMatchObject({
      set: false,
      valid: null,
      generatable: true,
      rule: { kind: 'secret', minLength: 32 },
    });
    expect(by.NEXTAUTH_SECRET.generatedValue).toBeUndefined();
    expect(by.GITHUB_CLIENT_SECRET).toMatchObject({
      set: false,
      sensitive: true,
      description: 'GitHub OAuth app client secret',
      sources: ['.env.example'],
    });
    expect(by.UPLOAD_BUCKET).toMatchObject({
      set: true,
      valid: true,
      rule: null,
      description: 'where uploads go',
    });
    expect(r.data.missing.sort()).toEqual([
      'GITHUB_CLIENT_ID',
      'GITHUB_CLIENT_SECRET',
      'NEXTAUTH_SECRET',
      'NEXTAUTH_URL',
    ]);
    expect(r.data.invalid).toEqual(['OPENAI_API_KEY']);
    expect(JSON.stringify(r)).not.toContain(OPENAI_BAD);

    const generated = await detect(project.id, production.id, true);
    const secret =
      generated.ok && generated.data.items.find((i) => i.key === 'NEXTAUTH_SECRET')?.generatedValue;
    expect(Buffer.from(secret || '', 'base64')).toHaveLength(32);
    expect(generated.ok && generated.data.items.filter((i) => i.generatedValue).map((i) => i.key)).toEqual([
      'NEXTAUTH_SECRET',
    ]);
  });

  it('reads .env.sample; says when package.json is not JSON and when a file is too large to read', async () => {
    const source = repo({
      '.env.sample': 'REDIS_URL=redis://localhost:6379\n',
      '.env.example': `# ${'x'.repeat(300 * 1024)}\nHUGE=1\n`,
      'package.json': '{ "dependencies": ',
    });
    const { project, production } = await h.project('detect-sample', source.dir);
    const r = await detect(project.id, production.id);
    expect(r).toMatchObject({
      ok: true,
      data: {
        framework: 'node',
        files: ['package.json', '.env.sample'],
        items: [{ key: 'REDIS_URL', rule: { kind: 'redis-url' }, set: false, required: true }],
        missing: ['REDIS_URL'],
        warnings: [
          '.env.example is larger than 256 KiB: not read',
          'package.json is not valid JSON: its dependencies were not read',
        ],
      },
    });
  });

  it('answers detection/source-unavailable for a repository it cannot read, without the credentials of its URL', async () => {
    const gone = await h.project('detect-gone', `/tmp/no-such-repo-${randomUUID()}`);
    const r = await detect(gone.project.id, gone.production.id);
    expect(r).toMatchObject({
      ok: false,
      error: {
        code: ErrorCode.DetectionSourceUnavailable,
        message: expect.stringContaining('could not read /tmp/no-such-repo-'),
      },
    });

    // a closed local port: git fails at once
    const closed = await h.project('detect-closed', 'https://127.0.0.1:1/acme/shop.git');
    const refused = await detect(closed.project.id, closed.production.id);
    expect(refused).toMatchObject({
      ok: false,
      error: {
        code: ErrorCode.DetectionSourceUnavailable,
        message: expect.stringContaining('could not read https://127.0.0.1:1/acme/shop.git at branch main: '),
      },
    });

    // projects refuse URLs with credentials; the reader masks them all the same, should one be stored
    const read = new RepositoryReader().read(
      'https://deploy-bot:gh-T0ken-s3cret@127.0.0.1:1/acme/shop.git',
      'main',
    );
    await expect(read).rejects.toThrow(RepositoryReadError);
    await expect(read).rejects.toThrow(
      /^could not read https:\/\/127\.0\.0\.1:1\/acme\/shop\.git at branch main: /,
    );
    await expect(read.catch((e: Error) => e.message)).resolves.not.toMatch(/gh-T0ken-s3cret|deploy-bot/);
  });

  it('gives up on a repository that does not answer within its time limit, stopping git and its helpers', async () => {
    // accepts and reads, never answers; a socket ends when the client's process is gone
    const sockets: Socket[] = [];
    const silent = createServer((socket) => {
      sockets.push(socket);
      socket.resume();
      socket.on('end', () => socket.destroy());
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    try {
      const started = Date.now();
      const read = new RepositoryReader({ cloneTimeoutMs: 1_500, concurrentReads: 4 }).read(
        `http://127.0.0.1:${port}/acme/shop.git`,
        'main',
      );
      await expect(read).rejects.toThrow(
        `could not read http://127.0.0.1:${port}/acme/shop.git at branch main: no answer within 1.5 s`,
      );
      expect(Date.now() - started).toBeLessThan(10_000);
      // the transfer helper went with git: nothing is left connected to the silent server
      await eventually(
        'no connection left to the silent server',
        () => new Promise<boolean>((resolve) => silent.getConnections((_e, n) => resolve(n === 0))),
      );
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('reads at most concurrentReads repositories at once, refusing one more until a slot is free', async () => {
    const silent = createServer((socket) => {
      socket.resume();
      socket.on('end', () => socket.destroy());
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    const local = repo({ 'package.json': '{}' });
    try {
      const reader = new RepositoryReader({ cloneTimeoutMs: 1_000, concurrentReads: 1 });
      const slow = reader.read(`http://127.0.0.1:${port}/slow.git`, 'main');
      await expect(reader.read(local.dir, 'main')).rejects.toThrow(
        '1 repositories are being read at once already, the most allowed: try again in a few seconds',
      );
      await expect(slow).rejects.toThrow(/no answer within 1 s/);
      await expect(reader.read(local.dir, 'main')).resolves.toMatchObject({
        commit: local.head(),
        read: ['package.json'],
      });
    } finally {
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it("answers environment-not-found for another project's environment", async () => {
    const a = await h.project('detect-a', repo({ 'package.json': '{}' }).dir);
    const b = await h.project('detect-b', repo({ 'package.json': '{}' }).dir);
    expect(await detect(a.project.id, b.production.id)).toMatchObject({
      ok: false,
      error: { code: ErrorCode.EnvironmentNotFound },
    });
    expect(await detect(randomUUID(), a.production.id)).toMatchObject({
      ok: false,
      error: { code: ErrorCode.ProjectNotFound },
    });
  });
});

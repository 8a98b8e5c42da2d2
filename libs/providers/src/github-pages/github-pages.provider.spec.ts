import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProviderRegistry } from '../provider-registry';
import { githubPagesProvider, pagesUrlOf } from './github-pages.provider';

// Against a real bare git repository: what GitHub would receive on a push.
describe('the GitHub Pages provider', () => {
  let root: string;
  let bare: string;
  const registry = new ProviderRegistry([githubPagesProvider]);
  const lines: string[] = [];
  const ctx = { log: (m: string) => lines.push(m), signal: new AbortController().signal };
  const host = () => ({ dataDir: join(root, 'data'), env: {}, allowPrivateAddresses: true });
  const show = (path: string) => execFileSync('git', ['--git-dir', bare, 'show', `gh-pages:${path}`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const artifact = (name: string, html: string) => {
    const dir = join(root, `site-${name}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'index.html'), html);
    writeFileSync(join(dir, `${name}.txt`), name);
    const path = join(root, `${name}.tar.gz`);
    execFileSync('tar', ['-czf', path, '-C', dir, '.']);
    return path;
  };
  const deploy = (provider: ReturnType<ProviderRegistry['create']>, id: string, path: string) =>
    provider.deploy({ deploymentId: id, projectName: 'site', environmentName: 'production', env: {}, source: { type: 'artifact', path, kind: 'static' } }, ctx);

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'fd-pages-'));
    bare = join(root, 'site.git');
    execFileSync('git', ['init', '-q', '--bare', bare]);
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('derives the Pages URL of a github.com repository, and needs one otherwise', () => {
    expect(pagesUrlOf('https://github.com/Acme/docs.git')).toBe('https://acme.github.io/docs/');
    expect(pagesUrlOf('https://github.com/acme/acme.github.io')).toBe('https://acme.github.io/');
    expect(() => registry.validate({ name: 'github-pages', settings: { repository: 'https://git.example.com/a/b.git' } })).toThrow(
      'provider github-pages: settings.url is required: the repository is not on github.com, so its Pages URL cannot be derived',
    );
    expect(() => registry.validate({ name: 'github-pages', settings: { repository: 'ssh://git@github.com/a/b' } })).toThrow(/settings\.repository must be an https:\/\/ URL/);
    expect(() => registry.create({ name: 'github-pages', settings: { repository: `file://${root}/x.git`, url: 'https://x.test/' } }, [], { ...host(), allowPrivateAddresses: false })).toThrow(
      'settings.repository must be an https:// URL: file:// repositories need FLIGHTDECK_PROVIDERS_ALLOW_PRIVATE=true on the builder',
    );
  });

  it('pushes each deployment as a commit of the branch, and rolls back by pushing the earlier output again', async () => {
    const provider = registry.create({ name: 'github-pages', settings: { repository: `file://${bare}`, url: 'https://acme.github.io/site/' } }, [], host());
    await provider.initialize!(ctx);
    const first = await deploy(provider, 'dep-1', artifact('one', '<h1>one</h1>'));
    expect(first).toMatchObject({ url: 'https://acme.github.io/site/' });
    expect(show('index.html')).toBe('<h1>one</h1>');
    expect(show('.nojekyll')).toBe('');
    const second = await deploy(provider, 'dep-2', artifact('two', '<h1>two</h1>'));
    expect(show('index.html')).toBe('<h1>two</h1>');
    expect(() => show('one.txt')).toThrow(); // the branch holds exactly the new output
    await provider.rollback!({ deploymentId: 'dep-3', projectName: 'site', environmentName: 'production', toDeploymentId: 'dep-1' }, ctx);
    expect(show('index.html')).toBe('<h1>one</h1>');
    expect(show('one.txt')).toBe('one');
    expect(() => show('two.txt')).toThrow();
    const log = execFileSync('git', ['--git-dir', bare, 'log', '--format=%s', 'gh-pages'], { encoding: 'utf8' }).trim().split('\n');
    expect(log).toEqual(['Roll back to dep-1', 'Deploy dep-2', 'Deploy dep-1']);
    expect(second.providerDeploymentId).toMatch(/^[0-9a-f]{40}$/);
    expect(lines.some((l) => l.startsWith('Pushed ') && l.endsWith('GitHub Pages serves it at https://acme.github.io/site/'))).toBe(true);
  });

  it('fails with deployment/provider-error saying what git said, without the token, and refuses a Node server', async () => {
    const token = 'ghp_secret_token_value';
    const provider = registry.create(
      { name: 'github-pages', settings: { repository: `file://${root}/missing.git`, url: 'https://x.test/', tokenVariable: 'PAGES_TOKEN' } },
      [{ key: 'PAGES_TOKEN', value: token, sensitive: true }],
      host(),
    );
    const e = await provider.initialize!(ctx).catch((err: Error) => err);
    expect(e).toMatchObject({ code: 'deployment/provider-error', provider: 'github-pages', retryable: false });
    expect((e as Error).message).toMatch(/reading file:\/\/.*missing\.git failed \(git exit 128\): .*does not appear to be a git repository/);
    expect((e as Error).message).not.toContain(token);
    await expect(provider.deploy({ deploymentId: 'd', projectName: 'p', environmentName: 'e', env: {}, source: { type: 'artifact', path: '/x', kind: 'node' } }, ctx)).rejects.toThrow(
      'GitHub Pages serves static sites only',
    );
  });
});

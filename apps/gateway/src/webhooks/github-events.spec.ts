import { githubIntent, repositoryUrlsOf } from './github-events';
import { normalizeRepositoryUrl } from '@flightdeck/contracts';

const sha = 'a'.repeat(40);
const repo = { full_name: 'acme/shop', clone_url: 'https://github.com/acme/shop.git' };

describe('githubIntent', () => {
  it('a push to a branch deploys its after commit; tags and deleted branches are ignored', () => {
    expect(githubIntent('push', { ref: 'refs/heads/main', after: sha, head_commit: { message: 'fix' } })).toEqual({
      kind: 'work',
      work: { kind: 'push', branch: 'main', sha, message: 'fix' },
    });
    expect(githubIntent('push', { ref: 'refs/tags/v1', after: sha })).toMatchObject({ kind: 'ignore', unsupported: true });
    expect(githubIntent('push', { ref: 'refs/heads/main', after: '0'.repeat(40), deleted: true })).toMatchObject({ kind: 'ignore' });
    expect(githubIntent('push', { ref: 'refs/heads/main', after: 'HEAD; rm -rf' })).toMatchObject({ kind: 'invalid' });
  });

  it('pull requests: opened/synchronize/reopened preview the head commit, closed removes it, a fork is marked', () => {
    const pr = (action: string, head = repo) => ({ action, number: 7, pull_request: { head: { sha, repo: head }, base: { repo } } });
    expect(githubIntent('pull_request', pr('opened'))).toEqual({ kind: 'work', work: { kind: 'preview', number: 7, sha, fromFork: false, repository: 'acme/shop' } });
    expect(githubIntent('pull_request', pr('synchronize', { ...repo, full_name: 'mallory/shop' }))).toMatchObject({ work: { fromFork: true } });
    expect(githubIntent('pull_request', { ...pr('reopened'), pull_request: { head: { sha, repo: null }, base: { repo } } })).toMatchObject({
      work: { fromFork: true },
    });
    expect(githubIntent('pull_request', pr('closed'))).toEqual({ kind: 'work', work: { kind: 'close-preview', number: 7 } });
    expect(githubIntent('pull_request', pr('labeled'))).toMatchObject({ kind: 'ignore', unsupported: true });
    // Gitea and Forgejo say synchronized
    expect(githubIntent('pull_request', pr('synchronized'))).toMatchObject({ kind: 'work', work: { kind: 'preview', number: 7 } });
  });

  it('other events are ignored as unsupported, ping as a plain ping', () => {
    expect(githubIntent('issues', {})).toMatchObject({ kind: 'ignore', unsupported: true });
    expect(githubIntent('ping', {})).toMatchObject({ kind: 'ignore', unsupported: false });
  });
});

describe('repository URLs', () => {
  it('every spelling of one repository is the same', () => {
    const forms = ['https://github.com/Acme/Shop.git', 'git@github.com:acme/shop.git', 'ssh://git@github.com/acme/shop', 'https://github.com/acme/shop/'];
    expect(new Set(forms.map(normalizeRepositoryUrl))).toEqual(new Set(['github.com/acme/shop']));
    expect(normalizeRepositoryUrl('/tmp/x/repo.git')).toBe('/tmp/x/repo');
    expect(normalizeRepositoryUrl('file:///tmp/x/repo')).toBe('/tmp/x/repo');
    expect(normalizeRepositoryUrl('https://github.com/acme/other')).not.toBe(normalizeRepositoryUrl('https://github.com/acme/shop'));
  });

  it('reads the payload repository URLs', () => {
    expect(repositoryUrlsOf({ repository: { ...repo, html_url: 'https://github.com/acme/shop' } })).toEqual([
      'https://github.com/acme/shop.git',
      'https://github.com/acme/shop',
    ]);
    expect(repositoryUrlsOf({})).toEqual([]);
  });
});

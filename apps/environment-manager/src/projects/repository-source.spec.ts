import { checkBranchName, checkRepositoryUrl } from './repository-source';

describe('repository URL', () => {
  it.each(['https://github.com/acme/shop.git', 'https://git.example.com:8443/a/b', 'file:///srv/git/shop.git', '/home/ada/shop', '/home/ada/My Projects/shop'])(
    'accepts %s',
    (url) => expect(checkRepositoryUrl(url)).toEqual({ ok: true }),
  );

  it.each([
    ['shop', /https/],
    ['./shop', /https/],
    ['../shop', /https/],
    ['git@github.com:acme/shop.git', /scheme|https/],
    ['ssh://git@github.com/acme/shop.git', /ssh scheme/],
    ['http://github.com/acme/shop.git', /http scheme/],
    ['ext::sh -c touch% /tmp/pwned', /whitespace|scheme/],
    ['https://example.com/a b', /whitespace/],
    ['file://otherhost/srv/shop.git', /file:\/\/\//],
    ['https://ada:token@github.com/acme/shop.git', /credentials/],
    ['/srv/shop\nevil', /control characters/],
    ['-uhelp', /https/],
  ])('refuses %s', (url, why) => {
    const r = checkRepositoryUrl(url);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(why);
  });
});

describe('branch name', () => {
  it.each(['main', 'release/1.2', 'feature-x', 'v1.0.0'])('accepts %s', (b) => expect(checkBranchName(b).ok).toBe(true));
  it.each(['-x', '--upload-pack=evil', 'a..b', 'main@{1}', 'a b', 'topic.lock', 'a//b'])('refuses %s', (b) =>
    expect(checkBranchName(b).ok).toBe(false),
  );
});

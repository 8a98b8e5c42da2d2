import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { checkRepositoryReach, isLinkLocal } from './repository-reach';
import { parseRepositoryUrl } from './repository-url';

describe('what a build may clone', () => {
  let root: string;
  let work: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'fd-reach-'));
    work = join(root, 'data', 'work');
    mkdirSync(join(work, 'another-deployment', 'app'), { recursive: true });
    mkdirSync(join(root, 'elsewhere'));
    symlinkSync(join(work, 'another-deployment', 'app'), join(root, 'elsewhere', 'link'));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const reach = (url: string) => checkRepositoryReach(parseRepositoryUrl(url), [work]);

  it("refuses a checkout in the builder's own directories, as a path, a file URL or through a link", async () => {
    const other = join(work, 'another-deployment', 'app');
    await expect(reach(other)).rejects.toMatchObject({ code: 'deployment/source-unavailable', step: 'clone', message: expect.stringContaining("inside the builder's own data") });
    await expect(reach(pathToFileURL(other).href)).rejects.toMatchObject({ code: 'deployment/source-unavailable' });
    await expect(reach(join(root, 'elsewhere', 'link'))).rejects.toMatchObject({ code: 'deployment/source-unavailable' });
    await expect(reach(work)).rejects.toMatchObject({ code: 'deployment/source-unavailable' });
  });

  it('lets other local repositories and ordinary hosts through', async () => {
    await expect(reach(join(root, 'elsewhere'))).resolves.toBeUndefined();
    await expect(reach(join(root, 'data', 'work-not'))).resolves.toBeUndefined();
    await expect(reach('https://127.0.0.1:1/team/app.git')).resolves.toBeUndefined();
  });

  it('refuses link-local hosts, where cloud metadata answers', async () => {
    await expect(reach('http://169.254.169.254/latest/meta-data')).rejects.toMatchObject({ message: expect.stringContaining('link-local address (169.254.169.254)') });
    await expect(reach('https://[fe80::1]/x.git')).rejects.toMatchObject({ code: 'deployment/source-unavailable' });
    expect(isLinkLocal('::ffff:169.254.1.2')).toBe(true);
    expect(isLinkLocal('10.0.0.1')).toBe(false);
  });
});

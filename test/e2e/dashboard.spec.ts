import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { WORKSPACE_ROOT } from '@flightdeck/testing';
import { GitRepo, nodeApp } from '../support/git-repo';
import { getWithHost, hostOf, until } from '../support/http';
import { type Browser, launchChromium } from '../support/browser';
import { type Launched, startLauncher } from '../support/launcher';

jest.setTimeout(300_000);

const DEPLOY_MS = 150_000;
// written by every run for review (dist/ is not committed)
const SCREENSHOTS = join(WORKSPACE_ROOT, 'dist/screenshots/dashboard');

// Issue 22: the dashboard served by the gateway of `npm start` at /, driven in Debian's chromium
// as a user clicks through it (one stack and one browser for the suite).
describe('the dashboard', () => {
  let stack: Launched;
  let browser: Browser;

  beforeAll(async () => {
    [stack, browser] = await Promise.all([startLauncher(), launchChromium()]);
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  // a tab of its own: the token lives in the tab's sessionStorage
  const signedIn = async (path = '/'): Promise<Page> => {
    const page = await browser.context.newPage();
    await page.goto(`${stack.gatewayUrl}${path}`);
    await page.getByLabel('API token').fill(stack.token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    return page;
  };
  const statusOf = (page: Page) => page.locator('h1 [data-status]').getAttribute('data-status');
  const waitForStatus = (page: Page, status: string) =>
    page.locator(`h1 [data-status="${status}"]`).waitFor({ timeout: DEPLOY_MS });
  const served = async (page: Page) => {
    const url = await page.getByRole('link', { name: /^http:\/\// }).first().getAttribute('href');
    return (await getWithHost(stack.edgePort, hostOf(url!))).body;
  };

  it('refuses a wrong token with an error, not a blank page', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${stack.gatewayUrl}/`);
    await page.getByLabel('API token').fill('fdt_not-a-real-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toContain('auth/unauthenticated');
    expect(await page.getByLabel('API token').isVisible()).toBe(true);
    // the token was never put in the address
    expect(page.url()).toBe(`${stack.gatewayUrl}/`);
    await page.close();
  });

  it('creates a project from a git repository, deploys it with live status and logs, and rolls back', async () => {
    const repo = new GitRepo();
    repo.write(nodeApp('v1', { lines: 120, buildSleepS: 2 })).commit('v1');

    const page = await signedIn();
    await page.getByLabel('Name').fill('dash-app');
    await page.getByLabel('Git repository URL').fill(repo.dir);
    await page.getByRole('button', { name: 'Create project' }).click();
    await page.getByRole('heading', { name: 'dash-app' }).waitFor();
    const projectPath = new URL(page.url()).pathname;
    expect(projectPath).toMatch(/^\/projects\/[0-9a-f-]{36}$/);

    // a second tab opened on the project by its address (the gateway answers the app for it) watches the list
    const watcher = await signedIn(projectPath);
    await watcher.getByRole('heading', { name: 'dash-app' }).waitFor();
    expect(await watcher.getByText('No deployments yet.').isVisible()).toBe(true);

    // deploy: the deployment's page follows it
    await page.getByLabel('Branch, tag or commit').fill('main');
    await page.getByRole('button', { name: 'Deploy' }).click();
    await page.waitForURL(/\/deployments\/[0-9a-f-]{36}$/);
    const v1Id = page.url().split('/').pop()!;
    const log = page.getByRole('log');
    await log.locator('.line').first().waitFor({ timeout: DEPLOY_MS });
    // lines arrive while it is still in progress: live, not read afterwards
    expect(await statusOf(page)).not.toBe('succeeded');
    await waitForStatus(page, 'succeeded');
    await log.getByText('build line 120', { exact: true }).waitFor();
    // every line once, in order
    const seqs = await until('the log to end', async () => {
      const text = await page.getByText(/lines, ended/).textContent().catch(() => null);
      return text ? log.locator('.line').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-seq')))) : undefined;
    }, 30_000);
    expect(seqs.length).toBeGreaterThan(120);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    expect(await served(page)).toBe('version v1');

    // the level filter narrows what is shown without losing lines
    await page.getByLabel('Level').selectOption('error');
    const shown = await log.locator('.line').evaluateAll((els) => els.map((e) => e.className));
    expect(shown.every((c) => c.includes('level-error'))).toBe(true);
    await page.getByLabel('Level').selectOption('debug');
    expect(await log.locator('.line').count()).toBe(seqs.length);

    // the other tab saw it appear and succeed without a reload
    await watcher.locator(`tr[data-deployment-id="${v1Id}"] [data-status="succeeded"]`).waitFor({ timeout: 10_000 });

    // v2, then roll back to v1 from v2's page
    repo.write(nodeApp('v2', { lines: 10 })).commit('v2');
    await page.getByRole('link', { name: 'project', exact: true }).click();
    await page.getByRole('button', { name: 'Deploy' }).click();
    await page.waitForURL((u) => /\/deployments\//.test(u.pathname) && !u.pathname.endsWith(v1Id));
    await waitForStatus(page, 'succeeded');
    expect(await served(page)).toBe('version v2');
    const v2Id = page.url().split('/').pop()!;
    await page.getByRole('button', { name: 'Roll back' }).click();
    await page.waitForURL((u) => u.pathname.startsWith('/deployments/') && !u.pathname.endsWith(v2Id));
    const rollbackId = page.url().split('/').pop()!;
    await page.locator('dd', { hasText: 'rollback by' }).waitFor();
    await waitForStatus(page, 'succeeded');
    expect(await served(page)).toBe('version v1');

    await watcher.locator(`tr[data-deployment-id="${rollbackId}"] [data-status="succeeded"]`).waitFor({ timeout: 10_000 });
    expect(await watcher.locator('tbody tr').count()).toBe(3);
    await Promise.all([page.close(), watcher.close()]);
  });

  // after the deployments above: the main pages as they look with data in them
  it('lays out the main pages at desktop and 360 px widths with no serious accessibility violation', async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    const page = await signedIn();
    await page.getByRole('link', { name: 'dash-app' }).click();
    await page.getByRole('heading', { name: 'dash-app' }).waitFor();
    const projectPath = new URL(page.url()).pathname;
    await page.locator('tbody tr a').first().click();
    await page.getByText(/lines, ended/).waitFor({ timeout: 30_000 });
    const pages = { projects: '/', project: projectPath, deployment: new URL(page.url()).pathname };
    const report: string[] = [];
    for (const width of [1280, 360]) {
      await page.setViewportSize({ width, height: 900 });
      for (const [name, path] of Object.entries(pages)) {
        // in-app navigation keeps the tab's session
        await page.evaluate((p) => {
          window.history.pushState({}, '', p);
          window.dispatchEvent(new PopStateEvent('popstate'));
        }, path);
        await page.locator('h1').first().waitFor();
        if (name === 'deployment') await page.getByText(/lines, ended/).waitFor({ timeout: 30_000 });
        else await page.locator('tbody tr').first().waitFor();
        await page.screenshot({ path: join(SCREENSHOTS, `${name}-${width}.png`), fullPage: true });
        // nothing wider than the window: tables scroll inside their box, long lines wrap
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        expect([name, width, overflow]).toEqual([name, width, 0]);
        const { violations } = await new AxeBuilder({ page }).analyze();
        for (const v of violations) report.push(`${name} ${width}px ${v.impact} ${v.id}: ${v.help} (${v.nodes.length})`);
      }
    }
    expect(report.filter((r) => / (serious|critical) /.test(r))).toEqual([]);
    await page.close();
  });
});

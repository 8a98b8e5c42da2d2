import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import type { LogLine } from '@flightdeck/contracts';
import { BuildLog } from '../logs/build-log';
import { SourceCheckout } from './source-checkout';

describe('source checkout without git', () => {
  let dir: string;
  beforeAll(() => {
    Logger.overrideLogger(false);
    dir = mkdtempSync(join(tmpdir(), 'fd-checkout-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('fails the clone step saying git was not found, without the raw spawn error or a host path', async () => {
    const lines: LogLine[] = [];
    const checkout = new SourceCheckout(new BuildLog({ add: (l) => lines.push(l) }));
    const failure = checkout.checkout({
      source: { cloneUrl: join(dir, 'repo'), display: 'the repository', credentials: [] },
      ref: 'main',
      dir: join(dir, 'work'),
      // no git on this PATH
      env: { PATH: join(dir, 'empty-bin'), HOME: dir },
      signal: new AbortController().signal,
    });
    await expect(failure).rejects.toMatchObject({
      code: 'deployment/source-unavailable',
      step: 'clone',
      message: 'could not start git: the command was not found',
    });
    expect(JSON.stringify(lines)).not.toMatch(/ENOENT|spawn/);
  });
});

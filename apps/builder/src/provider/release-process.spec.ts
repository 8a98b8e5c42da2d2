import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import type { PreparedSandbox } from '../sandbox/sandboxes';
import { ReleaseProcess } from './release-process';

const aSandbox = (over: Partial<PreparedSandbox>): PreparedSandbox => ({
  argv: ['true'],
  cwd: tmpdir(),
  env: {},
  pids: () => [],
  limitHit: () => undefined,
  dispose: async () => undefined,
  ...over,
});

describe('a release process that cannot be started', () => {
  let dir: string;
  beforeAll(() => {
    Logger.overrideLogger(false);
    dir = mkdtempSync(join(tmpdir(), 'fd-release-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('says why in words, without the spawn error, its code or a host path', async () => {
    const proc = new ReleaseProcess({ releaseId: 'r1', sandbox: aSandbox({ argv: [join(dir, 'bin', 'server')] }) });
    await proc.exited;
    expect(proc.failure).toBe('could not start the release: the command was not found');
  });
});

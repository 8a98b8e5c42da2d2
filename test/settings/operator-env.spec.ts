import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { operatorEnvironment } from '../../scripts/operator-env';

describe("npm start's settings files", () => {
  let repo: string;
  beforeEach(() => {
    repo = mkdtempSync(join(tmpdir(), 'fd-env-'));
  });
  afterEach(() => rmSync(repo, { recursive: true, force: true }));

  it('takes the shell over <data dir>/.env over the repository .env', () => {
    const dataDir = join(repo, 'data');
    mkdirSync(dataDir);
    writeFileSync(join(repo, '.env'), `FLIGHTDECK_DATA_DIR=${dataDir}\nA=repo\nB=repo\nC=repo\n`);
    writeFileSync(join(dataDir, '.env'), 'B=data\nC=data\n');
    const { env, files } = operatorEnvironment(repo, { C: 'shell' });
    expect([env.A, env.B, env.C]).toEqual(['repo', 'data', 'shell']);
    expect(files).toEqual([join(repo, '.env'), join(dataDir, '.env')]);
  });

  it('works with no file at all', () => {
    const { env, files } = operatorEnvironment(repo, { FLIGHTDECK_DATA_DIR: join(repo, 'none'), X: '1' });
    expect(env.X).toBe('1');
    expect(files).toEqual([]);
  });
});

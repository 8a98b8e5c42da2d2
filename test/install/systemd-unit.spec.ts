import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WORKSPACE_ROOT } from '@flightdeck/testing';

const systemdAnalyze = spawnSync('sh', ['-c', 'command -v systemd-analyze']).stdout.toString().trim();
// systemd-analyze verify checks a unit offline (no systemd running as PID 1 needed); it comes with
// the systemd package, which a container may lack, and installing systemd into one to check a file
// would be out of proportion: there the check is skipped, saying why
const withSystemd = systemdAnalyze ? it : it.skip;
if (!systemdAnalyze) console.warn('systemd-analyze not found (no systemd package): the unit is not verified');

describe('npm run install-service', () => {
  let dir: string;
  let unitFile: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'fd-unit-'));
    unitFile = join(dir, 'flightdeck.service');
    execFileSync(
      process.execPath,
      [
        '-r',
        '@swc-node/register',
        'scripts/install-service.ts',
        '--user',
        'root',
        '--data-dir',
        '/srv/flightdeck data',
        '--unit-file',
        unitFile,
      ],
      {
        cwd: WORKSPACE_ROOT,
        stdio: 'pipe',
        env: { ...process.env, SWC_NODE_PROJECT: join(WORKSPACE_ROOT, 'tsconfig.json') },
      },
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes a unit that runs npm start from this checkout as the user, on the data dir, restarted and started at boot', () => {
    const unit = readFileSync(unitFile, 'utf8');
    const lines = unit.split('\n');
    expect(lines).toEqual(
      expect.arrayContaining([
        'User=root',
        'Group=root',
        `WorkingDirectory=${WORKSPACE_ROOT}`,
        'Environment="FLIGHTDECK_DATA_DIR=/srv/flightdeck data"',
        `ExecStart=${process.execPath} -r @swc-node/register scripts/start.ts`,
        'Restart=on-failure',
        // SIGTERM to the launcher alone (it stops things in order), SIGKILL to whatever is left
        'KillMode=mixed',
        'WantedBy=multi-user.target',
      ]),
    );
  });

  withSystemd(
    `passes systemd-analyze verify${systemdAnalyze ? '' : ' (skipped: systemd-analyze is not installed)'}`,
    () => {
      const res = spawnSync(systemdAnalyze, ['verify', unitFile], { encoding: 'utf8' });
      // an unknown key or bad value is only a warning: any output fails the test
      expect({ status: res.status, output: `${res.stdout}${res.stderr}`.trim() }).toEqual({
        status: 0,
        output: '',
      });
    },
  );
});

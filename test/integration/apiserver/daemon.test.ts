/** The API server daemon's command line: bad values exit 2 naming the flag, before anything is written. */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { nodeArgv } from '../../../src/util/paths.js';
import { tempDir } from '../../helpers/tmp.js';

const SCRIPT = 'src/control/apiserver/main.ts';

const cases: [string[], RegExp][] = [
  [['--port', 'http'], /invalid value for --port: "http" is not a whole number/],
  [['--port', '70000'], /invalid value for --port: 70000 is not within 0-65535/],
  [['--watch-cache-size', '0'], /invalid value for --watch-cache-size: 0 is not within 1-/],
  [['--watch-coalesce', '10'], /invalid value for --watch-coalesce: "10" is not a duration/],
  [['--node-port-range', '32000-30000'], /invalid value for --node-port-range: 30000 is not within 32000-65535/],
  [['--node-port-range', '30000'], /invalid value for --node-port-range: "30000" is not LOW-HIGH/],
  [['--default-toleration-seconds', '-1'], /invalid value for --default-toleration-seconds: -1 is not within 0-/],
  [['--tls-cert-file', '/x.crt'], /--tls-cert-file: goes together with --tls-private-key-file/],
];

for (const [args, message] of cases) {
  test(`${args.join(' ')}: exit 2 and a message naming the flag; no store is created`, async (t) => {
    const dataDir = join(tempDir(t), 'data');
    const argv = nodeArgv(SCRIPT, ['--data-dir', dataDir, ...args]);
    const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const p = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      p.stderr.on('data', (d: Buffer) => (err += d.toString()));
      p.on('close', (c) => resolve({ code: c, stderr: err }));
      t.teardown(() => {
        if (p.exitCode === null) p.kill('SIGKILL');
      });
    });
    t.is(code, 2, stderr);
    t.regex(stderr, message);
    t.false(existsSync(dataDir));
  });
}

/**
 * The kubelet's side of the shim handshake, against stand-in shims (small shell scripts run in
 * place of Node.js): an answer is read even when the shim exits right after writing it, and a shim
 * that exits without answering is a start error naming its exit code and its log.
 */
import test from 'ava';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startShim } from '../../../src/worker/kubelet/runtimes/process/shim-client.js';
import { systemClock } from '../../../src/util/clock.js';

function standIn(t: { teardown(f: () => void): void }, script: string) {
  const dir = mkdtempSync(join(tmpdir(), 'kubelab-shim-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const nodePath = join(dir, 'shim.sh');
  writeFileSync(nodePath, `#!/bin/sh\n${script}\n`);
  chmodSync(nodePath, 0o755);
  return { nodePath, containerDir: dir, shimLog: join(dir, 'shim.log'), startedFile: join(dir, 'started.json'), timeoutMs: 10_000, clock: systemClock };
}

test('an answer is read even when the shim exits the moment it has written it', async (t) => {
  const o = standIn(t, `echo "{\\"started\\":{\\"pid\\":$$,\\"pgid\\":$$,\\"shimPid\\":$$,\\"startedAt\\":1}}"; exit 0`);
  // Exit and the last stdout bytes race: each start is a fresh chance to lose the answer.
  for (let i = 0; i < 100; i++) {
    const { hello } = await startShim(o);
    if (!('started' in hello)) return t.fail(`start ${i}: ${JSON.stringify(hello)}`);
  }
  t.pass();
});

test('a shim that exits without answering is a start error with its exit code and log', async (t) => {
  const o = standIn(t, `echo 'cannot read container.json' >&2; exit 3`);
  const { hello } = await startShim(o);
  t.deepEqual(hello, { error: 'the shim exited (3) before starting the process: cannot read container.json' });
});

import test from 'ava';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processAlive } from '../../../src/bootstrap/providers/local/process.js';
import { eventually } from '../../helpers/eventually.js';
import { runLab } from '../../helpers/lab.js';

test('lab --help, unknown commands and bad flags: exit codes 0 and 2 with a message naming the flag', async (t) => {
  const home = mkdtempSync(join(tmpdir(), 'kubelab-cli-'));
  t.teardown(() => rmSync(home, { recursive: true, force: true }));
  const help = await runLab(home, ['--help']);
  t.is(help.code, 0);
  t.regex(help.stdout, /Commands:[\s\S]*up[\s\S]*down[\s\S]*status[\s\S]*demo[\s\S]*bench/);
  t.is((await runLab(home, ['up', '--help'])).code, 0);
  t.is((await runLab(home, ['bench', 'scheduling', '--help'])).code, 0);
  const unknown = await runLab(home, ['frobnicate']);
  t.is(unknown.code, 2);
  t.regex(unknown.stderr, /unknown command 'frobnicate'/);
  const bad = await runLab(home, ['up', '--workers', 'lots']);
  t.is(bad.code, 2);
  t.regex(bad.stderr, /--workers must be a whole number, got "lots"/);
  const runtime = await runLab(home, ['up', '--runtime', 'lxc']);
  t.is(runtime.code, 2);
  t.regex(runtime.stderr, /--runtime must be one of process, docker, fake/);
  // A lab's name is a directory under the home: ".", ".." or a path would reach other labs' data.
  for (const name of ['.', '..', '../escape', '', 'Upper', 'a_b', 'x'.repeat(64)]) {
    const r = await runLab(home, ['--name', name, 'down', '--purge']);
    t.is(r.code, 2, `--name ${JSON.stringify(name)}`);
    t.regex(r.stderr, /--name must (be|not be)/);
  }
  t.true(existsSync(home), 'a bad --name deleted nothing');
  t.false(existsSync(join(home, '..', 'escape')));
  const none = await runLab(home, ['status']);
  t.is(none.code, 1);
  t.regex(none.stderr, /no lab named "lab"/);
});

test('lab up starts the control plane and workers, status shows them healthy, down stops them all', async (t) => {
  const home = mkdtempSync(join(tmpdir(), 'kubelab-cli-'));
  t.teardown(async () => {
    await runLab(home, ['down', '--purge']);
    rmSync(home, { recursive: true, force: true });
  });
  const up = await runLab(home, ['up', '--workers', '1', '--json']);
  t.is(up.code, 0, up.stderr);
  const state = JSON.parse(up.stdout) as { components: { name: string; pid: number }[]; kubeconfig: string };
  t.deepEqual(state.components.map((c) => c.name).sort(), ['apiserver', 'controller-manager', 'kubelet', 'proxy', 'scheduler']);
  const status = JSON.parse((await runLab(home, ['status', '--json'])).stdout) as { healthy: boolean; components: { healthy: boolean }[] };
  t.true(status.healthy);
  t.true(existsSync(state.kubeconfig));
  t.regex(readFileSync(state.kubeconfig, 'utf8'), /certificate-authority-data/);
  const again = await runLab(home, ['up']);
  t.is(again.code, 0);
  t.regex(again.stdout, /already up/);
  // A running lab is not silently reused for flags that ask for another shape.
  const other = await runLab(home, ['up', '--workers', '2', '--runtime', 'process']);
  t.is(other.code, 1);
  t.regex(other.stderr, /already up with 1 worker; --workers 2 asks for another lab: run \.\/lab down first/);
  const running = await runLab(home, ['node', 'start', 'worker-1']);
  t.is(running.code, 0, running.stderr);
  t.regex(running.stdout, /worker-1 is already running; nothing to start/);
  // A crashed component: up starts it again (as minikube start does) and leaves the rest alone.
  const scheduler = state.components.find((c) => c.name === 'scheduler')!;
  process.kill(scheduler.pid, 'SIGKILL');
  await eventually(async () => !processAlive(scheduler.pid), { message: 'the scheduler died' });
  t.is((await runLab(home, ['status'])).code, 1);
  const revive = await runLab(home, ['up', '--json']);
  t.is(revive.code, 0, revive.stderr);
  t.regex(revive.stderr, /Started again in lab "lab": scheduler\n/);
  const revived = JSON.parse(revive.stdout) as typeof state;
  t.not(revived.components.find((c) => c.name === 'scheduler')!.pid, scheduler.pid);
  t.deepEqual(revived.components.filter((c) => c.name !== 'scheduler').map((c) => c.pid), state.components.filter((c) => c.name !== 'scheduler').map((c) => c.pid));
  t.true((JSON.parse((await runLab(home, ['status', '--json'])).stdout) as { healthy: boolean }).healthy);
  state.components = revived.components;
  const down = await runLab(home, ['down']);
  t.is(down.code, 0);
  for (const c of state.components) {
    // A zombie waiting for init to reap it does not run: processAlive reads /proc to tell.
    t.false(processAlive(c.pid), `${c.name} (pid ${c.pid}) still runs after down`);
  }
  const after = await runLab(home, ['status']);
  t.is(after.code, 1);
  t.regex(after.stdout, /is down/);
});

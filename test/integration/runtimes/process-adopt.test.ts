/**
 * The process runtime across kubelet restarts: a second runtime on the same state directory finds
 * the sandboxes, IPs and running containers of the first, serves their logs, and learns their
 * exits although it is not their parent.
 */
import test from 'ava';
import { eventually } from '../../helpers/eventually.js';
import { echoConfig, freePort, httpGet, httpGetEventually, processLab, recordEvents, runContainer, sandboxConfig } from './process-harness.js';

test('a restarted runtime adopts the running container, keeps its IP and receives its exit', async (t) => {
  const lab = processLab(t);
  const first = lab.runtime();
  const port = await freePort();
  const { sandboxId, id, ip } = await runContainer(first, 'web', echoConfig('echo', port));
  await httpGetEventually(`http://${ip}:${port}/before`);
  const pid = first.processInfo(id)!.pid;
  await first.close();

  const second = lab.runtime();
  const ev = recordEvents(t, second);
  t.deepEqual((await second.listPodSandboxes()).map((s) => [s.id, s.state, s.ips]), [[sandboxId, 'ready', [ip]]]);
  t.deepEqual((await second.listContainers()).map((c) => [c.id, c.state]), [[id, 'running']], 'one container, not a duplicate');
  t.is(second.processInfo(id)?.pid, pid);
  t.like(JSON.parse((await httpGet(`http://${ip}:${port}/after`)).body), { pod: 'web', ip });
  // The log written while the first runtime ran is there, and so are lines written since.
  await eventually(async () => {
    const lines: string[] = [];
    for await (const e of second.containerLogs(id)) lines.push(e.line);
    return lines.includes('GET /before 200') && lines.includes('GET /after 200');
  }, { message: 'both requests in the log' });
  // The allocation survived: a new pod does not get the adopted pod's address.
  const other = await second.runPodSandbox(sandboxConfig('other'));
  t.not((await second.podSandboxStatus(other)).ips[0], ip);

  process.kill(pid, 'SIGKILL');
  await ev.waitFor((e) => e.type === 'stopped' && e.containerId === id, 'stopped event of the adopted container');
  t.like(await second.containerStatus(id), { state: 'exited', exitCode: 137, reason: 'Error' });
});

test('a restarted runtime stops an adopted container gracefully', async (t) => {
  const lab = processLab(t);
  const first = lab.runtime();
  const port = await freePort();
  const { id, ip } = await runContainer(first, 'web', echoConfig('echo', port));
  await httpGetEventually(`http://${ip}:${port}/`);
  await first.close();
  const second = lab.runtime();
  await second.stopContainer(id, 10);
  t.like(await second.containerStatus(id), { state: 'exited', exitCode: 0, reason: 'Completed' });
});

test('a second runtime cannot open a state directory an open runtime uses', (t) => {
  const lab = processLab(t);
  lab.runtime();
  t.throws(() => lab.runtime(), { message: /a process runtime of pid \d+ uses it/ });
});

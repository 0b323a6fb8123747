/**
 * The lab network and restarts, against a real daemon: two runtimes ("nodes") with their own pod
 * CIDRs on one lab bridge reach each other's pods by IP, and a runtime started again on the same
 * node adopts the running sandboxes and containers instead of starting them anew, while another
 * node's runtime sees none of them. Skips, saying why, when no Docker daemon answers.
 */
import test from 'ava';
import { eventually } from '../../helpers/eventually.js';
import { NotFoundError } from '../../../src/worker/kubelet/runtime.js';
import { ECHO_IMAGE, PAUSE_IMAGE, containerConfig, labImages, probeDocker, sandboxConfig, testLab } from './docker-helpers.js';

const probe = await probeDocker();
const dtest = 'docker' in probe ? test.serial : test.skip;
if (!('docker' in probe)) console.log(`docker network e2e skipped: ${probe.reason}`);
const docker = 'docker' in probe ? probe.docker : undefined!;

test.before(async () => {
  if (docker) await labImages(docker);
});

dtest('pods of two nodes on the lab network reach each other by IP', async (t) => {
  const lab = await testLab(t, docker);
  const nodes = [lab.runtime('n1', { podCIDR: lab.podCidr(1) }), lab.runtime('n2', { podCIDR: lab.podCidr(2) })];
  const pods = [];
  for (const [i, rt] of nodes.entries()) {
    const cfg = sandboxConfig(`echo-${i + 1}`);
    const sb = await rt.runPodSandbox(cfg);
    const ip = (await rt.podSandboxStatus(sb)).ips[0]!;
    const id = await rt.createContainer(sb, containerConfig('echo', ECHO_IMAGE, { env: [{ name: 'NODE_NAME', value: `n${i + 1}` }] }), cfg);
    await rt.startContainer(id);
    pods.push({ rt, ip, id });
  }
  t.true(pods[0]!.ip.startsWith(lab.podCidr(1).replace(/0\/24$/, '')), `${pods[0]!.ip} is from n1's range`);
  t.true(pods[1]!.ip.startsWith(lab.podCidr(2).replace(/0\/24$/, '')), `${pods[1]!.ip} is from n2's range`);
  for (const [from, to] of [
    [pods[0]!, pods[1]!],
    [pods[1]!, pods[0]!],
  ] as const) {
    const body = await eventually(
      async () => {
        // No -T: Debian's static busybox wget crashes with it; the exec timeout bounds the wait.
        const r = await from.rt.execSync(from.id, ['wget', '-qO-', `http://${to.ip}:8080/`], { timeoutMs: 5000 });
        return r.exitCode === 0 && (JSON.parse(r.stdout) as { node: string });
      },
      { timeoutMs: 15_000, message: `${from.ip} reaching ${to.ip}` },
    );
    t.is(body.node, to === pods[1] ? 'n2' : 'n1');
  }
});

dtest('a restarted runtime adopts running sandboxes and containers; another node sees none of them', async (t) => {
  const lab = await testLab(t, docker);
  const stateDir = lab.tempDir();
  const first = lab.runtime('n1', { podCIDR: lab.podCidr(1), stateDir });
  const cfg = sandboxConfig('survivor');
  const sb = await first.runPodSandbox(cfg);
  const ip = (await first.podSandboxStatus(sb)).ips[0]!;
  const id = await first.createContainer(sb, containerConfig('main', PAUSE_IMAGE), cfg);
  await first.startContainer(id);
  const startedAt = (await first.containerStatus(id)).startedAt;
  const created = (await first.listContainers())[0]!.createdAt;
  await first.close();

  const second = lab.runtime('n1', { podCIDR: lab.podCidr(1), stateDir });
  const sandboxes = await second.listPodSandboxes();
  t.deepEqual(
    sandboxes.map((s) => [s.id, s.state, s.ips, s.metadata]),
    [[sb, 'ready', [ip], cfg.metadata]],
  );
  const containers = await second.listContainers({ podUid: cfg.metadata.uid });
  t.deepEqual(
    containers.map((c) => [c.id, c.state, c.metadata.name, c.createdAt]),
    [[id, 'running', 'main', created]],
  );
  t.is((await second.containerStatus(id)).startedAt, startedAt, 'adopted, not restarted');
  t.deepEqual(
    (await second.listPodSandboxes({ state: 'notready' })).map((s) => s.id),
    [],
  );

  // A new pod on the restarted runtime never gets the live pod's address, even with the state file lost.
  const fresh = lab.runtime('n1', { podCIDR: lab.podCidr(1), stateDir: lab.tempDir() });
  const other = await fresh.runPodSandbox(sandboxConfig('newcomer'));
  const otherIp = (await fresh.podSandboxStatus(other)).ips[0]!;
  t.not(otherIp, ip);
  const third = await second.runPodSandbox(sandboxConfig('third'));
  t.false([ip, otherIp].includes((await second.podSandboxStatus(third)).ips[0]!), 'addresses stay unique');

  const stranger = lab.runtime('n2', { podCIDR: lab.podCidr(2) });
  t.deepEqual(await stranger.listPodSandboxes(), []);
  t.deepEqual(await stranger.listContainers(), []);
  await t.throwsAsync(stranger.containerStatus(id), { instanceOf: NotFoundError });
  await t.throwsAsync(stranger.stopPodSandbox(sb), { instanceOf: NotFoundError });
  await stranger.removePodSandbox(sb);
  t.is((await second.podSandboxStatus(sb)).state, 'ready', "another node's remove does not touch it");
});

dtest('a pod CIDR outside the lab subnet is refused', async (t) => {
  const lab = await testLab(t, docker);
  const rt = lab.runtime('n1');
  await t.throwsAsync(rt.updateRuntimeConfig({ podCIDR: '192.168.77.0/24' }), { instanceOf: RangeError, message: /is not inside the subnet/ });
});

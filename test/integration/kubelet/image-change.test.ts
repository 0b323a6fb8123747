/**
 * `kubectl set image` on a running pod, with the kubelet on the process runtime against a real API
 * server: the container is killed and started again from the new image (computePodActions'
 * definition-changed restart), and the spec hash it was created with survives a kubelet restart,
 * so an unchanged container is adopted, not restarted, and one changed while the kubelet was down
 * is restarted. Every process started is killed in teardown (process-harness).
 */
import test from 'ava';
import type { Event, Pod } from '../../../src/api/types.js';
import type { Client } from '../../../src/client/rest.js';
import type { ProcessRuntime } from '../../../src/worker/kubelet/runtimes/process/index.js';
import { processAlive } from '../../../src/worker/kubelet/runtimes/process/host.js';
import { eventually } from '../../helpers/eventually.js';
import { createBoundPod, isRunningReady, kubeletLab, podSpec, testKubelet, waitForPod } from '../../helpers/kubelet.js';
import { processLab } from '../runtimes/process-harness.js';

const fast = { leaseRenewIntervalMs: 200, nodeStatusUpdateFrequencyMs: 100, restartBackoffBaseMs: 300, restartBackoffMaxMs: 2000 };

async function setImage(client: Client, name: string, image: string): Promise<void> {
  await client.resource<Pod>('Pod').patch('default', name, [{ op: 'replace', path: '/spec/containers/0/image', value: image }], 'json');
}

async function eventsOf(client: Client, pod: string): Promise<Event[]> {
  return (await client.resource<Event>('Event').list('default', { fieldSelector: `involvedObject.name=${pod}` })).items;
}

function runningWith(image: string, restartCount: number, notId?: string): (p: Pod) => boolean {
  return (p) => {
    const cs = p.status?.containerStatuses?.[0];
    return isRunningReady(p) && cs?.image === image && cs.restartCount === restartCount && cs.state?.running !== undefined && cs.containerID !== notId;
  };
}

/** The pid of a container's process, as the runtime knows it. */
function pidOf(runtime: ProcessRuntime, containerID: string): number {
  const pid = runtime.processInfo(containerID.replace(/^process:\/\//, ''))?.pid;
  if (pid === undefined) throw new Error(`the runtime has no process for container "${containerID}"`);
  return pid;
}

test('a changed image restarts the running container; a restarted kubelet keeps an unchanged one and restarts one changed while it was down', async (t) => {
  const { client } = await kubeletLab(t);
  const lab = processLab(t);
  let runtime = lab.runtime();
  let kubelet = (await testKubelet(t, client, { nodeName: 'w1', ...fast, runtime })).kubelet;
  await createBoundPod(client, podSpec('imgchg', { containers: [{ name: 'imgchg', image: 'busybox', command: ['sleep', '3600'] }], terminationGracePeriodSeconds: 2 }), 'w1');
  const before = (await waitForPod(client, 'default', 'imgchg', runningWith('busybox', 0), 'imgchg running busybox')).status!.containerStatuses![0]!;
  const firstPid = pidOf(runtime, before.containerID!);

  await setImage(client, 'imgchg', 'alpine');
  const after = (await waitForPod(client, 'default', 'imgchg', runningWith('alpine', 1, before.containerID), 'imgchg restarted with alpine')).status!.containerStatuses![0]!;
  t.regex(after.containerID ?? '', /^process:\/\//);
  t.not(after.imageID, before.imageID, 'the image ID is the new image\'s');
  t.is(after.lastState?.terminated?.containerID, before.containerID, 'the old container is the last state');
  t.not(after.state?.running?.startedAt, undefined);
  t.false(processAlive(firstPid), 'the old process is gone');
  const killing = await eventually(async () => (await eventsOf(client, 'imgchg')).find((e) => e.reason === 'Killing'), { message: 'a Killing event' });
  t.like(killing, { type: 'Normal', message: 'Container imgchg definition changed, will be restarted', involvedObject: { kind: 'Pod', name: 'imgchg', fieldPath: 'spec.containers{imgchg}' } });
  const started = (await eventsOf(client, 'imgchg')).filter((e) => e.reason === 'Started');
  t.true(started.length > 0 && started.every((e) => e.involvedObject.fieldPath === 'spec.containers{imgchg}'), 'container events name the container');

  // A restarted kubelet adopts the running container: nothing changed, so nothing restarts.
  const secondPid = pidOf(runtime, after.containerID!);
  await kubelet.close();
  await runtime.close();
  runtime = lab.runtime();
  kubelet = (await testKubelet(t, client, { nodeName: 'w1', ...fast, runtime })).kubelet;
  await kubelet.pods.idle();
  const adopted = (await runtime.listContainers({ state: 'running' })).map((c) => c.id);
  t.deepEqual(adopted.map((id) => `process://${id}`), [after.containerID], 'the same container runs, no new one');
  t.true(processAlive(secondPid));
  const kept = await client.resource<Pod>('Pod').get('default', 'imgchg');
  t.like(kept.status?.containerStatuses?.[0], { containerID: after.containerID, restartCount: 1, image: 'alpine' });

  // A spec changed while the kubelet was down is seen by the next one: the hash is the runtime's.
  await kubelet.close();
  await runtime.close();
  await setImage(client, 'imgchg', 'busybox');
  runtime = lab.runtime();
  kubelet = (await testKubelet(t, client, { nodeName: 'w1', ...fast, runtime })).kubelet;
  await waitForPod(client, 'default', 'imgchg', runningWith('busybox', 2, after.containerID), 'imgchg restarted with busybox by the next kubelet');
  t.false(processAlive(secondPid));
});

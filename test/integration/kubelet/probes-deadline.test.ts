/**
 * The kubelet's other way of ending a running pod besides probes: spec.activeDeadlineSeconds.
 * A pod active longer than its deadline is killed and Failed with reason DeadlineExceeded.
 */
import test from 'ava';
import type { Event } from '../../../src/api/types.js';
import { eventually } from '../../helpers/eventually.js';
import { createBoundPod, isRunningReady, kubeletLab, podSpec, testKubelet, waitForPod } from '../../helpers/kubelet.js';

test('a pod running past activeDeadlineSeconds is killed and Failed with reason DeadlineExceeded', async (t) => {
  const { client } = await kubeletLab(t);
  const { runtime } = await testKubelet(t, client, { nodeName: 'w1', leaseRenewIntervalMs: 500, nodeStatusUpdateFrequencyMs: 500 });
  await createBoundPod(client, podSpec('batch-1', { activeDeadlineSeconds: 2 }), 'w1');
  const running = await waitForPod(client, 'default', 'batch-1', isRunningReady, 'batch-1 Running');
  const failed = await waitForPod(client, 'default', 'batch-1', (p) => p.status?.phase === 'Failed', 'batch-1 Failed', 10_000);
  t.is(failed.status!.reason, 'DeadlineExceeded');
  t.is(failed.status!.message, 'Pod was active on the node longer than the specified deadline');
  t.truthy(failed.status!.containerStatuses![0]!.state?.terminated, 'its container was killed');
  t.like(failed.status!.conditions!.find((c) => c.type === 'Ready'), { status: 'False', reason: 'PodFailed' });
  const elapsed = Date.parse(failed.status!.containerStatuses![0]!.state!.terminated!.finishedAt!) - Date.parse(running.status!.startTime!);
  t.true(elapsed >= 2000, `killed ${elapsed} ms after startTime, not before the deadline`);
  const ev = await eventually(
    async () => (await client.resource<Event>('Event').list('default', { fieldSelector: 'involvedObject.name=batch-1' })).items.find((e) => e.reason === 'DeadlineExceeded'),
    { message: 'DeadlineExceeded event' },
  );
  t.like(ev, { type: 'Normal', message: 'Pod was active on the node longer than the specified deadline' });
  t.is(runtime.inspect({ pod: 'batch-1' }).filter((c) => c.state === 'running').length, 0);
});

/** When the status manager writes, and what it sends. */
import test from 'ava';
import type { Pod, PodStatus } from '../../../src/api/types.js';
import type { ResourceClient } from '../../../src/client/resource.js';
import { nullLogger } from '../../../src/util/log.js';
import { isNewerVersion, jsonEqual, needsWrite, sameKubeletStatus, StatusManager, statusPatch } from '../../../src/worker/kubelet/status/status-manager.js';

const running: PodStatus = {
  phase: 'Running',
  conditions: [
    { type: 'Ready', status: 'True', lastProbeTime: null, lastTransitionTime: '2026-01-01T00:00:00Z' },
    { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: '2026-01-01T00:00:00Z' },
  ],
  podIP: '127.64.0.2',
  podIPs: [{ ip: '127.64.0.2' }],
  containerStatuses: [{ name: 'web', state: { running: { startedAt: '2026-01-01T00:00:00Z' } }, ready: true, restartCount: 0, image: 'x', imageID: 'y' }],
};

function pod(status: PodStatus | undefined, rv = '10'): Pod {
  return { metadata: { name: 'p', namespace: 'default', uid: 'u', resourceVersion: rv }, spec: { containers: [] }, ...(status ? { status } : {}) };
}

test('nothing is written when the API already shows the status, whatever others added to it', (t) => {
  const api: PodStatus = { ...running, qosClass: 'BestEffort', conditions: [...running.conditions!].reverse().concat([{ type: 'example.com/gate', status: 'True' }]) };
  t.false(needsWrite(pod(api), running, undefined));
  t.true(needsWrite(pod({ phase: 'Pending', qosClass: 'BestEffort' }), running, undefined));
});

test('our own write is not repeated before the informer shows it, but a newer change by someone else is corrected', (t) => {
  const last = { resourceVersion: '11', status: running };
  t.false(needsWrite(pod({ phase: 'Pending' }, '10'), running, last), 'the informer still shows the version before our write');
  t.true(needsWrite(pod({ phase: 'Pending' }, '12'), running, last), 'someone wrote after us');
});

test('a pod in a terminal phase is never moved back', (t) => {
  t.false(needsWrite(pod({ phase: 'Succeeded' }), running, undefined));
  t.true(needsWrite(pod({ phase: 'Running' }), { ...running, phase: 'Failed' }, undefined));
});

test("the patch replaces the kubelet's fields, keeps others' conditions, and clears what the kubelet no longer reports", (t) => {
  const current: PodStatus = { phase: 'Pending', conditions: [{ type: 'example.com/gate', status: 'True' }, { type: 'Ready', status: 'False' }], nominatedNodeName: 'w1' };
  const patch = statusPatch('u', current, running);
  t.deepEqual(patch.metadata, { uid: 'u' });
  t.deepEqual(patch.status.conditions, [...running.conditions!, { type: 'example.com/gate', status: 'True' }]);
  t.is(patch.status.hostIP, null);
  t.is(patch.status.phase, 'Running');
  t.false('nominatedNodeName' in patch.status);
  t.false('initContainerStatuses' in patch.status);
});

test('isNewerVersion compares our server\'s numeric versions numerically', (t) => {
  t.true(isNewerVersion('100', '99'));
  t.false(isNewerVersion('99', '100'));
  t.false(isNewerVersion('7', '7'));
  t.true(isNewerVersion('abc', 'abd'));
});

test('jsonEqual compares as JSON would: undefined properties are absent, arrays keep order', (t) => {
  t.true(jsonEqual({ a: 1, b: undefined }, { a: 1 }));
  t.true(jsonEqual([{ x: [1, 2] }], [{ x: [1, 2] }]));
  t.false(jsonEqual([1, 2], [2, 1]));
  t.false(jsonEqual({ a: 1 }, { a: 1, b: 2 }));
  t.false(jsonEqual({ a: null }, {}));
  t.false(jsonEqual([], {}));
});

test('sameKubeletStatus ignores condition order and conditions of others, not the kubelet fields', (t) => {
  const reordered: PodStatus = { ...running, conditions: [...running.conditions!].reverse().concat([{ type: 'x.io/gate', status: 'False' }]), containerStatuses: structuredClone(running.containerStatuses) };
  t.true(sameKubeletStatus(running, reordered));
  t.false(sameKubeletStatus(running, { ...running, podIP: '127.64.0.3' }));
  const restarted = structuredClone(running);
  restarted.containerStatuses![0]!.restartCount = 1;
  t.false(sameKubeletStatus(running, restarted));
  t.false(sameKubeletStatus(running, { ...running, conditions: running.conditions!.slice(1) }));
});

/** A StatusManager over a fake pods client that records patches and answers with the next resourceVersion. */
function manager() {
  const patches: unknown[] = [];
  let rv = 100;
  const pods = {
    patch: async (_ns: string, _name: string, body: { status: PodStatus }) => {
      patches.push(body);
      return { metadata: { name: 'p', namespace: 'default', uid: 'u', resourceVersion: String(++rv) }, spec: { containers: [] }, status: body.status } as Pod;
    },
  };
  return { patches, sm: new StatusManager({ pods: pods as unknown as ResourceClient<Pod>, log: nullLogger }) };
}

test('StatusManager writes once, recognises the echo of its write, and builds on it until the informer catches up', async (t) => {
  const { patches, sm } = manager();
  const stale = pod({ phase: 'Pending' }, '10');
  t.truthy(await sm.set(stale, running));
  t.is(await sm.set(stale, running), undefined, 'the same status is not written again while the informer lags');
  t.is(patches.length, 1);
  t.is(sm.latestStatus(stale)?.phase, 'Running', 'later syncs start from what was written');
  t.false(sm.observe(pod({ phase: 'Pending' }, '10')));
  t.true(sm.observe(pod(running, '101')), 'the echo of our write');
  t.is(sm.latestStatus(pod({ phase: 'Pending' }, '102'))?.phase, 'Pending', 'once caught up, the informer is the truth');
  t.truthy(await sm.set(pod({ phase: 'Pending' }, '102'), running), 'someone changed it after us: corrected');
  t.is(patches.length, 2);
});

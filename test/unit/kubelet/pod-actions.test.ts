/** computePodActions: what a pod needs next, table-driven. */
import test from 'ava';
import type { Pod } from '../../../src/api/types.js';
import { hashContainer } from '../../../src/worker/kubelet/container-config.js';
import { computePodActions, containerChanged, shouldRestart, staleContainers } from '../../../src/worker/kubelet/pod-actions.js';
import type { ContainerStatusInfo, PodSandbox } from '../../../src/worker/kubelet/runtime.js';

function pod(o: Partial<Pod['spec']> = {}): Pod {
  return { metadata: { name: 'p', namespace: 'default', uid: 'u' }, spec: { containers: [{ name: 'web', image: 'x' }], restartPolicy: 'Always', ...o } };
}

const sb = (state: PodSandbox['state'], attempt = 0): PodSandbox => ({
  id: `sb${attempt}`,
  metadata: { uid: 'u', name: 'p', namespace: 'default', attempt },
  state,
  createdAt: attempt,
  ips: state === 'ready' ? ['127.64.0.2'] : [],
  labels: {},
});

let n = 0;
function c(name: string, state: ContainerStatusInfo['state'], attempt = 0, exitCode?: number): ContainerStatusInfo {
  n++;
  return {
    id: `${name}-${attempt}-${n}`,
    sandboxId: 'sb0',
    pod: { uid: 'u', name: 'p', namespace: 'default' },
    metadata: { name, attempt },
    image: 'x',
    imageRef: 'r',
    state,
    createdAt: n,
    labels: {},
    annotations: {},
    ...(exitCode !== undefined ? { exitCode, finishedAt: n } : {}),
  };
}

/** The actions in short: "sandbox N", "kill", "start NAME#ATTEMPT", "remove ID". */
function summary(p: Pod, sandboxes: PodSandbox[], containers: ContainerStatusInfo[]): string[] {
  const a = computePodActions(p, sandboxes, containers);
  return [
    ...(a.killPod ? ['kill'] : []),
    ...(a.createSandbox ? [`sandbox ${a.sandboxAttempt}`] : []),
    ...a.start.map((s) => `start ${s.container.name}#${s.attempt}${s.previous ? ' (restart)' : ''}`),
    ...a.remove.map((id) => `remove ${id.replace(/-\d+$/, '')}`),
  ];
}

const two = { containers: [{ name: 'a', image: 'x' }, { name: 'b', image: 'x' }] };
const inits = { initContainers: [{ name: 'i1', image: 'x' }, { name: 'i2', image: 'x' }] };

const cases: [string, Pod, PodSandbox[], ContainerStatusInfo[], string[]][] = [
  ['a new pod gets a sandbox and all its containers', pod(two), [], [], ['sandbox 0', 'start a#0', 'start b#0']],
  ['a new pod with init containers starts only the first', pod(inits), [], [], ['sandbox 0', 'start i1#0']],
  ['running containers need nothing', pod(), [sb('ready')], [c('web', 'running')], []],
  ['a container never created is started', pod(two), [sb('ready')], [c('a', 'running')], ['start b#0']],
  ['Always restarts an exit 0', pod(), [sb('ready')], [c('web', 'exited', 0, 0)], ['start web#1 (restart)']],
  ['OnFailure restarts a failure', pod({ restartPolicy: 'OnFailure' }), [sb('ready')], [c('web', 'exited', 2, 1)], ['start web#3 (restart)']],
  ['OnFailure leaves a success', pod({ restartPolicy: 'OnFailure' }), [sb('ready')], [c('web', 'exited', 0, 0)], []],
  ['Never leaves a failure', pod({ restartPolicy: 'Never' }), [sb('ready')], [c('web', 'exited', 0, 1)], []],
  ['a container created but never started is made again with its attempt', pod(), [sb('ready')], [c('web', 'created', 1)], ['start web#1', 'remove web-1']],
  ['the running init container is waited for', pod(inits), [sb('ready')], [c('i1', 'running')], []],
  ['the next init container starts after one completes', pod(inits), [sb('ready')], [c('i1', 'exited', 0, 0)], ['start i2#0']],
  ['containers start after all init containers completed', pod(inits), [sb('ready')], [c('i1', 'exited', 0, 0), c('i2', 'exited', 0, 0)], ['start web#0']],
  ['a failed init container is restarted (Always)', pod(inits), [sb('ready')], [c('i1', 'exited', 0, 1)], ['start i1#1 (restart)']],
  ['a failed init container ends the pod (Never)', pod({ ...inits, restartPolicy: 'Never' }), [sb('ready')], [c('i1', 'exited', 0, 1)], []],
  ['a dead sandbox is replaced: kill, sandbox + 1, start over', pod(), [sb('notready', 0)], [c('web', 'exited', 0, 137)], ['kill', 'sandbox 1', 'start web#1 (restart)']],
  ['a dead sandbox with init containers starts over from the first', pod(inits), [sb('notready', 2)], [c('i1', 'exited', 0, 0), c('i2', 'exited', 0, 0), c('web', 'exited', 0, 1)], ['kill', 'sandbox 3', 'start i1#1 (restart)']],
  ['Never makes no second sandbox for a pod that ran', pod({ restartPolicy: 'Never' }), [sb('notready')], [c('web', 'exited', 0, 0)], ['kill']],
  ['OnFailure in a new sandbox skips the containers that succeeded', pod({ ...two, restartPolicy: 'OnFailure' }), [sb('notready')], [c('a', 'exited', 0, 0), c('b', 'exited', 0, 1)], ['kill', 'sandbox 1', 'start b#1 (restart)']],
  ['only the newest exited container of a name is kept', pod(), [sb('ready')], [c('web', 'exited', 0, 1), c('web', 'exited', 1, 1), c('web', 'running', 2)], ['remove web-0']],
];
for (const [name, p, sandboxes, containers, want] of cases) {
  test(`computePodActions: ${name}`, (t) => {
    t.deepEqual(summary(p, sandboxes, containers), want);
  });
}

test('a restart carries the exited container it replaces, for the back-off', (t) => {
  const exited = c('web', 'exited', 4, 1);
  const a = computePodActions(pod(), [sb('ready')], [exited]);
  t.is(a.start[0]!.previous, exited);
  t.is(a.sandboxId, 'sb0');
});

test('shouldRestart follows restartPolicy', (t) => {
  t.deepEqual(
    (['Always', 'OnFailure', 'Never'] as const).map((p) => [shouldRestart(p, 0), shouldRestart(p, 1)]),
    [
      [true, true],
      [false, true],
      [false, false],
    ],
  );
});

test('of the exited containers of a name, the newest is kept, and the one before it while the newest waits to run again', (t) => {
  const e0 = c('web', 'exited', 0, 1);
  const e1 = c('web', 'exited', 1, 1);
  const e2 = c('web', 'exited', 2, 1);
  // Crashed and not yet restarted: e2 is the state, e1 the lastState; only e0 goes.
  t.deepEqual(staleContainers(pod(), [e0, e1, e2]), [e0.id]);
  // Running again: the newest exited one is the lastState; the others go.
  const r3 = c('web', 'running', 3);
  t.deepEqual(staleContainers(pod(), [e0, e1, e2, r3]).sort(), [e0.id, e1.id].sort());
});

test('containers of names the spec does not have are stale unless running', (t) => {
  const old = c('gone', 'exited', 0, 0);
  t.deepEqual(staleContainers(pod(), [old, c('web', 'running')]), [old.id]);
});

/** A running "web" created from a spec with image (its hash annotation), or without the annotation. */
function runningFrom(image: string | undefined, attempt = 0): ContainerStatusInfo {
  const x = c('web', 'running', attempt);
  return { ...x, image: image ?? 'x', annotations: image === undefined ? {} : { 'io.kubernetes.container.hash': hashContainer({ name: 'web', image }) } };
}

test('computePodActions: a running container whose spec changed is killed and started again as the next attempt', (t) => {
  const old = runningFrom('busybox', 2);
  const a = computePodActions(pod({ containers: [{ name: 'web', image: 'alpine' }] }), [sb('ready')], [old]);
  t.deepEqual(a.kill, [{ id: old.id, container: { name: 'web', image: 'alpine' }, reason: 'changed', message: 'Container web definition changed, will be restarted' }]);
  t.deepEqual(a.start, [{ container: { name: 'web', image: 'alpine' }, init: false, attempt: 3 }], 'no previous: nothing failed, so no back-off');
  t.false(a.killPod);
  t.false(a.createSandbox);
});

test('computePodActions: a changed spec restarts the container even with restartPolicy Never, before any probe verdict', (t) => {
  const old = runningFrom('busybox');
  const a = computePodActions(pod({ containers: [{ name: 'web', image: 'alpine' }], restartPolicy: 'Never' }), [sb('ready')], [old], { failed: () => 'liveness' });
  t.deepEqual(a.kill.map((k) => `${k.reason}: ${k.message}`), ['changed: Container web definition changed, will be restarted']);
  t.deepEqual(a.start.map((s) => `${s.container.image}#${s.attempt}`), ['alpine#1']);
});

test('computePodActions: a running container whose spec hashes the same is left alone', (t) => {
  const a = computePodActions(pod({ containers: [{ name: 'web', image: 'busybox' }] }), [sb('ready')], [runningFrom('busybox')]);
  t.deepEqual([a.kill, a.start, a.remove], [[], [], []]);
});

test('computePodActions: a container without a hash annotation (an older kubelet made it) is adopted, not restarted', (t) => {
  const a = computePodActions(pod({ containers: [{ name: 'web', image: 'alpine' }] }), [sb('ready')], [runningFrom(undefined)]);
  t.deepEqual([a.kill, a.start], [[], []]);
});

test('computePodActions: the containers of a pod being deleted are not restarted for a changed spec', (t) => {
  const p = pod({ containers: [{ name: 'web', image: 'alpine' }] });
  p.metadata.deletionTimestamp = '2026-01-01T00:00:00Z';
  const a = computePodActions(p, [sb('ready')], [runningFrom('busybox')]);
  t.deepEqual([a.kill, a.start], [[], []]);
});

test('containerChanged() compares the recorded hash with the spec\'s, and only name and image count', (t) => {
  const annotations = { 'io.kubernetes.container.hash': hashContainer({ name: 'web', image: 'busybox' }) };
  t.false(containerChanged({ name: 'web', image: 'busybox' }, { annotations }));
  t.false(containerChanged({ name: 'web', image: 'busybox', env: [{ name: 'A', value: 'b' }], imagePullPolicy: 'Always' }, { annotations }), 'fields a pod update cannot change are not hashed');
  t.true(containerChanged({ name: 'web', image: 'busybox:1.37' }, { annotations }));
  t.false(containerChanged({ name: 'web', image: 'alpine' }, { annotations: {} }));
});

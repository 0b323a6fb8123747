/** Flag values of the kubelet and hollow daemons: parsing, defaults, and errors that name the flag. */
import test from 'ava';
import { hollowCommand, hollowConfigFromFlags, type HollowFlags } from '../../../src/worker/hollow/cli.js';
import { hollowNodeIP, hollowNodeName, hollowPodCIDR } from '../../../src/worker/hollow/addresses.js';
import { kubeletCommand, kubeletConfigFromFlags, type KubeletFlags } from '../../../src/worker/kubelet/cli.js';
import { FlagError, parseDuration, parseLabels, parseTaints } from '../../../src/worker/kubelet/flags.js';

for (const [text, ms] of [
  ['10s', 10_000],
  ['5m0s', 300_000],
  ['1m30s', 90_000],
  ['250ms', 250],
  ['1.5s', 1500],
  ['1h', 3_600_000],
  ['0', 0],
] as const) {
  test(`parseDuration("${text}") is ${ms} ms`, (t) => {
    t.is(parseDuration('--x', text), ms);
  });
}

for (const bad of ['10', 'soon', '5 m', '1m30', '', '-5s']) {
  test(`parseDuration refuses "${bad}", naming the flag`, (t) => {
    const err = t.throws(() => parseDuration('--lease-renew-interval', bad), { instanceOf: FlagError });
    t.regex(err!.message, /^invalid value for --lease-renew-interval: /);
  });
}

test('parseLabels and parseTaints read the kubelet formats and check names', (t) => {
  t.deepEqual(parseLabels('--labels', 'zone=a, example.com/tier=web,empty='), { zone: 'a', 'example.com/tier': 'web', empty: '' });
  t.throws(() => parseLabels('--labels', 'noequals'), { message: /--labels: "noequals" is not key=value/ });
  t.throws(() => parseLabels('--labels', 'bad key=x'), { message: /--labels: key "bad key"/ });
  t.deepEqual(parseTaints('--register-with-taints', 'dedicated=lab:NoSchedule,node.kubernetes.io/special:NoExecute'), [
    { key: 'dedicated', value: 'lab', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/special', effect: 'NoExecute' },
  ]);
  t.throws(() => parseTaints('--register-with-taints', 'a=b:Maybe'), { message: /effect must be one of NoSchedule, PreferNoSchedule, NoExecute/ });
  t.throws(() => parseTaints('--register-with-taints', 'a=b'), { message: /is not key\[=value\]:Effect/ });
});

function kubeletFlags(argv: string[]): KubeletFlags {
  return kubeletCommand().exitOverride().parse(['node', 'kubelet', '--kubeconfig', '/k', ...argv]).opts<KubeletFlags>();
}

test("the kubelet's defaults are Kubernetes' (lease 40 s renewed every 10 s, status report 5 min, back-off 10 s to 5 min)", (t) => {
  const c = kubeletConfigFromFlags(kubeletFlags(['--node-name', 'w1']));
  t.like(c, { kubeconfig: '/k', runtime: 'fake', fakeStartDelayMs: 0, verbosity: 0 });
  t.deepEqual(c.options, {
    nodeName: 'w1',
    nodeIP: '127.0.0.1',
    port: 10250,
    maxPods: 110,
    leaseDurationSeconds: 40,
    nodeStatusUpdateFrequencyMs: 10_000,
    nodeStatusReportFrequencyMs: 300_000,
    restartBackoffBaseMs: 10_000,
    restartBackoffMaxMs: 300_000,
    syncFrequencyMs: 60_000,
  });
});

test('kubelet flags are converted, and a bad one is named', (t) => {
  const c = kubeletConfigFromFlags(
    kubeletFlags(['--node-name', 'w2', '--node-ip', '10.0.0.2', '--cpu', '2', '--memory', '4Gi', '--lease-renew-interval', '2s', '--restart-backoff-base', '1s', '--restart-backoff-max', '30s', '--role', 'worker', '--labels', 'zone=b', '--register-with-taints', 'x:NoSchedule', '--pod-cidr', '10.244.1.0/24', '-v', '2']),
  );
  t.like(c.options, { nodeIP: '10.0.0.2', cpu: '2', memory: '4Gi', leaseRenewIntervalMs: 2000, restartBackoffBaseMs: 1000, restartBackoffMaxMs: 30_000, role: 'worker', labels: { zone: 'b' }, podCIDR: '10.244.1.0/24' });
  t.deepEqual(c.options.taints, [{ key: 'x', effect: 'NoSchedule' }]);
  t.is(c.verbosity, 2);
  const bad: [string[], RegExp][] = [
    [['--node-ip', 'localhost'], /--node-ip: "localhost" is not an IP address/],
    [['--port', '70000'], /--port: 70000 is not within 0-65535/],
    [['--memory', '8GB'], /--memory: "8GB"/],
    [['--max-pods', '0'], /--max-pods: 0 is not within/],
    [['--restart-backoff-base', '1m', '--restart-backoff-max', '10s'], /--restart-backoff-max: 10s is shorter than --restart-backoff-base 1m/],
    [['--runtime', 'lxc'], /--runtime: "lxc" is not one of fake, process, docker/],
    [['--pod-cidr', '10.244.1.0'], /--pod-cidr: "10.244.1.0" is not an IPv4 CIDR/],
    [['--node-name', 'Bad_Name'], /--node-name: "Bad_Name" is not a DNS subdomain name/],
  ];
  for (const [argv, message] of bad) t.throws(() => kubeletConfigFromFlags(kubeletFlags(['--node-name', 'w1', ...argv])), { instanceOf: FlagError, message }, argv.join(' '));
});

function hollowFlags(argv: string[]): HollowFlags {
  return hollowCommand().exitOverride().parse(['node', 'hollow', '--kubeconfig', '/k', ...argv]).opts<HollowFlags>();
}

test('hollow flags are converted, and a bad one is named', (t) => {
  const c = hollowConfigFromFlags(hollowFlags(['--nodes', '5000', '--pod-start-delay', '2s', '--lease-renew-interval', '30s', '--port', '0']));
  t.like(c, { address: '127.0.0.1', port: 0 });
  t.like(c.options, { count: 5000, namePrefix: 'hollow-node-', startIndex: 0, podStartDelayMs: 2000, leaseRenewIntervalMs: 30_000, leaseDurationSeconds: 40, cpu: '4', memory: '16Gi', maxPods: 110 });
  t.throws(() => hollowConfigFromFlags(hollowFlags(['--nodes', 'lots'])), { message: /--nodes: "lots" is not a whole number/ });
  t.throws(() => hollowConfigFromFlags(hollowFlags(['--nodes', '10', '--start-index', '16380'])), { message: /--nodes: --start-index 16380 \+ 10 nodes exceeds/ });
  t.throws(() => hollowConfigFromFlags(hollowFlags(['--nodes', '1', '--pod-start-delay', 'later'])), { message: /--pod-start-delay/ });
});

test('hollow node names and addresses come from the index and stay in loopback', (t) => {
  t.is(hollowNodeName('hollow-node-', 12), 'hollow-node-12');
  t.deepEqual([0, 1, 254, 255, 4999].map(hollowNodeIP), ['127.32.0.1', '127.32.0.2', '127.32.0.255', '127.32.1.0', '127.32.19.136']);
  t.deepEqual([0, 255, 256, 4999, 16383].map(hollowPodCIDR), ['127.64.0.0/24', '127.64.255.0/24', '127.65.0.0/24', '127.83.135.0/24', '127.127.255.0/24']);
  t.throws(() => hollowPodCIDR(16384), { instanceOf: RangeError });
});

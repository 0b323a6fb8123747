import test from 'ava';
import { optionsFromFlags, UsageError, type ControllerManagerFlags } from '../../../src/control/controllers/flags.js';
import { CONTROLLERS, resolveControllers } from '../../../src/control/controllers/manager.js';

const names = (list: string[]) => resolveControllers(list).map((d) => d.name);

test('resolveControllers() follows kube-controller-manager --controllers', (t) => {
  t.deepEqual(names(['*']), CONTROLLERS.map((d) => d.name));
  t.deepEqual(names(['*', '-garbagecollector']), CONTROLLERS.map((d) => d.name).filter((n) => n !== 'garbage-collector-controller'));
  t.deepEqual(names(['endpoint', 'namespace-controller']), ['endpoints-controller', 'namespace-controller']);
  t.deepEqual(names(['-endpoint', 'endpoint']), [], 'the first mention wins, as in IsControllerEnabled');
  t.deepEqual(names([]), []);
  t.throws(() => names(['bogus']), { instanceOf: TypeError, message: /"bogus" is not a known controller/ });
});

const defaults: ControllerManagerFlags = {
  kubeconfig: '/tmp/kc',
  controllers: '*',
  concurrentWorkers: '5',
  bindAddress: '127.0.0.1',
  port: '10257',
  nodeMonitorPeriod: '5s',
  nodeMonitorGracePeriod: '40s',
  nodeStartupGracePeriod: '60s',
  nodeEvictionRate: '0.1',
  secondaryNodeEvictionRate: '0.01',
  largeClusterSizeThreshold: '50',
  unhealthyZoneThreshold: '0.55',
  endpointUpdatesBatchPeriod: '0s',
  kubeApiQps: '20',
  kubeApiBurst: '30',
  allocateNodeCidrs: false,
  clusterCidr: '',
  nodeCidrMaskSize: '24',
};

test('optionsFromFlags() turns the defaults into Kubernetes\' timings', (t) => {
  const o = optionsFromFlags(defaults);
  t.like(o, { kubeconfig: '/tmp/kc', controllers: ['*'], concurrentWorkers: 5, port: 10257, kubeApiQps: 20, kubeApiBurst: 30, endpointUpdatesBatchPeriodMs: 0 });
  t.deepEqual(o.nodeLifecycle, {
    nodeMonitorPeriodMs: 5000,
    nodeMonitorGracePeriodMs: 40_000,
    nodeStartupGracePeriodMs: 60_000,
    nodeEvictionRate: 0.1,
    secondaryNodeEvictionRate: 0.01,
    largeClusterSizeThreshold: 50,
    unhealthyZoneThreshold: 0.55,
  });
});

test('optionsFromFlags() enables node IPAM only with --allocate-node-cidrs', (t) => {
  t.is(optionsFromFlags(defaults).clusterCIDR, undefined);
  t.like(optionsFromFlags({ ...defaults, allocateNodeCidrs: true, clusterCidr: '127.244.0.0/16' }), { clusterCIDR: '127.244.0.0/16', nodeCIDRMaskSize: 24 });
});

test('optionsFromFlags() names the flag with a bad value', (t) => {
  const bad: [Partial<ControllerManagerFlags>, RegExp][] = [
    [{ nodeMonitorGracePeriod: '40' }, /--node-monitor-grace-period "40" is not a duration/],
    [{ nodeMonitorPeriod: '0s' }, /--node-monitor-period "0s" must be longer than 0/],
    [{ concurrentWorkers: '0' }, /--concurrent-workers "0" must be at least 1/],
    [{ port: '70000' }, /--port "70000" must be at most 65535/],
    [{ unhealthyZoneThreshold: '1.5' }, /--unhealthy-zone-threshold "1.5" must be at most 1/],
    [{ controllers: 'endpoint,nope' }, /--controllers: "nope" is not a known controller/],
    [{ kubeApiQps: 'fast' }, /--kube-api-qps "fast" is not a number/],
    [{ allocateNodeCidrs: true }, /--allocate-node-cidrs needs --cluster-cidr/],
    [{ allocateNodeCidrs: true, clusterCidr: '10.244.0.0/16', nodeCidrMaskSize: '8' }, /--node-cidr-mask-size "8"/],
  ];
  for (const [f, re] of bad) t.throws(() => optionsFromFlags({ ...defaults, ...f }), { instanceOf: UsageError, message: re }, JSON.stringify(f));
});

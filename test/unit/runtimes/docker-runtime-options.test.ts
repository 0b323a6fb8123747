/** DockerRuntime options are checked up front, before any daemon call. */
import test from 'ava';
import { DockerRuntime, dockerRuntimeEntry } from '../../../src/worker/kubelet/runtimes/docker/index.js';
import { systemClock } from '../../../src/util/clock.js';
import { nullLogger } from '../../../src/util/log.js';

test('nodeName and stateDir are required; network, subnet and pod CIDR are validated', (t) => {
  t.throws(() => new DockerRuntime({ nodeName: '', stateDir: '/tmp/x' }), { instanceOf: TypeError, message: /nodeName/ });
  t.throws(() => new DockerRuntime({ nodeName: 'n1', stateDir: '' }), { instanceOf: TypeError, message: /stateDir/ });
  t.throws(() => new DockerRuntime({ nodeName: 'n1', stateDir: '/tmp/x', network: { name: 'bad name' } }), { instanceOf: TypeError, message: /"bad name"/ });
  t.throws(() => new DockerRuntime({ nodeName: 'n1', stateDir: '/tmp/x', network: { subnet: '10.244.0.0/99' } }), { instanceOf: TypeError });
  t.throws(() => new DockerRuntime({ nodeName: 'n1', stateDir: '/tmp/x', podCIDR: '10.245.1.0/24' }), { instanceOf: RangeError, message: /not inside the subnet "10.244.0.0\/16"/ });
});

test('defaults: lab "kubelab", network named after the lab, cluster CIDR 10.244.0.0/16', (t) => {
  const r = new DockerRuntime({ nodeName: 'n1', stateDir: '/tmp/x', podCIDR: '10.244.3.0/24' });
  t.deepEqual(r.owner, { node: 'n1', lab: 'kubelab' });
  t.deepEqual(r.network, { name: 'kubelab', subnet: '10.244.0.0/16' });
  const custom = new DockerRuntime({ nodeName: 'n2', stateDir: '/tmp/x', lab: 'lab7', network: { subnet: '10.50.0.0/16' } });
  t.deepEqual(custom.network, { name: 'lab7', subnet: '10.50.0.0/16' });
});

test('the registry entry makes a runtime for the kubelet\'s node with state under its rootDir', async (t) => {
  const r = (await dockerRuntimeEntry({ lab: 'l1', subnet: '10.60.0.0/16' }).create({ nodeName: 'w1', nodeIP: '127.0.0.1', podCIDR: '10.60.4.0/24', rootDir: '/var/lib/x', clock: systemClock, log: nullLogger })) as DockerRuntime;
  t.deepEqual(r.owner, { node: 'w1', lab: 'l1' });
  t.deepEqual(r.network, { name: 'l1', subnet: '10.60.0.0/16' });
});

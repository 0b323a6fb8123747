/** The filters, pure: one table per filter, then their order. */
import test from 'ava';
import type { NodeSelectorTerm } from '../../../src/api/types.js';
import {
  nodeAffinity,
  nodePorts,
  nodeReady,
  nodeResourcesFit,
  nodeUnschedulable,
  runFilters,
  FILTERS,
  taintToleration,
  type Filter,
} from '../../../src/control/scheduler/filters.js';
import { NodeInfo } from '../../../src/control/scheduler/nodeinfo.js';
import { podInfoOf } from '../../../src/control/scheduler/podinfo.js';
import { node, pod, type NodeInput, type PodSpecInput } from './fixtures.js';

interface Row {
  name: string;
  pod: PodSpecInput;
  node: NodeInput;
  /** Pods already on the node. */
  existing?: PodSpecInput[];
  /** undefined: fits. */
  want: string[] | undefined;
}

function table(filter: Filter, title: string, rows: Row[]): void {
  for (const r of rows) {
    test(`${title}: ${r.name}`, (t) => {
      const ni = NodeInfo.of(
        node(r.node),
        (r.existing ?? []).map((p) => podInfoOf(pod({ ...p, nodeName: r.node.name }))),
      );
      const got = filter(podInfoOf(pod(r.pod)), ni);
      t.deepEqual(got === undefined ? undefined : [...got], r.want);
    });
  }
}

table(nodeReady, 'nodeReady()', [
  { name: 'a Ready node fits', pod: {}, node: { name: 'n' }, want: undefined },
  { name: 'Ready=False does not', pod: {}, node: { name: 'n', ready: false }, want: ['node(s) were not ready'] },
  { name: 'no Ready condition does not', pod: {}, node: { name: 'n', ready: 'none' }, want: ['node(s) were not ready'] },
  {
    name: 'a pod tolerating not-ready:NoSchedule may go there',
    pod: { tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoSchedule' }] },
    node: { name: 'n', ready: false },
    want: undefined,
  },
  {
    name: 'the default NoExecute toleration of not-ready is not enough',
    pod: { tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }] },
    node: { name: 'n', ready: false },
    want: ['node(s) were not ready'],
  },
]);

table(nodeUnschedulable, 'nodeUnschedulable()', [
  { name: 'a schedulable node fits', pod: {}, node: { name: 'n' }, want: undefined },
  { name: 'a cordoned node does not', pod: {}, node: { name: 'n', unschedulable: true }, want: ['node(s) were unschedulable'] },
  {
    name: 'a pod tolerating node.kubernetes.io/unschedulable may go there',
    pod: { tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }] },
    node: { name: 'n', unschedulable: true },
    want: undefined,
  },
]);

const controlPlane = { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' as const };
table(taintToleration, 'taintToleration()', [
  { name: 'no taints fit', pod: {}, node: { name: 'n' }, want: undefined },
  { name: 'an untolerated NoSchedule taint blocks', pod: {}, node: { name: 'n', taints: [controlPlane] }, want: ['node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }'] },
  {
    name: 'an untolerated NoExecute taint blocks, with its value in the reason',
    pod: {},
    node: { name: 'n', taints: [{ key: 'dedicated', value: 'db', effect: 'NoExecute' }] },
    want: ['node(s) had untolerated taint {dedicated: db}'],
  },
  { name: 'PreferNoSchedule does not block', pod: {}, node: { name: 'n', taints: [{ key: 'k', effect: 'PreferNoSchedule' }] }, want: undefined },
  { name: 'Exists with the key tolerates', pod: { tolerations: [{ key: controlPlane.key, operator: 'Exists' }] }, node: { name: 'n', taints: [controlPlane] }, want: undefined },
  { name: 'an empty key with Exists tolerates everything', pod: { tolerations: [{ operator: 'Exists' }] }, node: { name: 'n', taints: [controlPlane] }, want: undefined },
  {
    name: 'Equal needs the same value',
    pod: { tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'web', effect: 'NoSchedule' }] },
    node: { name: 'n', taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] },
    want: ['node(s) had untolerated taint {dedicated: db}'],
  },
  {
    name: 'the operator defaults to Equal',
    pod: { tolerations: [{ key: 'dedicated', value: 'db' }] },
    node: { name: 'n', taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] },
    want: undefined,
  },
  {
    name: 'a toleration of another effect does not tolerate',
    pod: { tolerations: [{ key: controlPlane.key, operator: 'Exists', effect: 'NoExecute' }] },
    node: { name: 'n', taints: [controlPlane] },
    want: ['node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }'],
  },
  {
    name: 'the first untolerated taint is reported',
    pod: { tolerations: [{ key: 'a', operator: 'Exists' }] },
    node: { name: 'n', taints: [{ key: 'a', effect: 'NoSchedule' }, { key: 'b', value: '1', effect: 'NoSchedule' }, { key: 'c', effect: 'NoSchedule' }] },
    want: ['node(s) had untolerated taint {b: 1}'],
  },
]);

const AFFINITY = ["node(s) didn't match Pod's node affinity/selector"];
const required = (...nodeSelectorTerms: NodeSelectorTerm[]): PodSpecInput['affinity'] => ({
  nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms } },
});
table(nodeAffinity, 'nodeAffinity()', [
  { name: 'no selector fits', pod: {}, node: { name: 'n' }, want: undefined },
  { name: 'nodeSelector matches labels', pod: { nodeSelector: { disk: 'ssd' } }, node: { name: 'n', labels: { disk: 'ssd' } }, want: undefined },
  { name: 'nodeSelector with another value fails', pod: { nodeSelector: { disk: 'ssd' } }, node: { name: 'n', labels: { disk: 'hdd' } }, want: AFFINITY },
  { name: 'nodeSelector with a missing label fails', pod: { nodeSelector: { disk: 'ssd' } }, node: { name: 'n' }, want: AFFINITY },
  { name: 'In matches', pod: { affinity: required({ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a', 'b'] }] }) }, node: { name: 'n', labels: { zone: 'b' } }, want: undefined },
  { name: 'In does not match a missing label', pod: { affinity: required({ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }) }, node: { name: 'n' }, want: AFFINITY },
  { name: 'NotIn matches a missing label', pod: { affinity: required({ matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] }) }, node: { name: 'n' }, want: undefined },
  { name: 'NotIn fails on a listed value', pod: { affinity: required({ matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] }) }, node: { name: 'n', labels: { zone: 'a' } }, want: AFFINITY },
  { name: 'Exists', pod: { affinity: required({ matchExpressions: [{ key: 'gpu', operator: 'Exists' }] }) }, node: { name: 'n', labels: { gpu: '' } }, want: undefined },
  { name: 'DoesNotExist', pod: { affinity: required({ matchExpressions: [{ key: 'gpu', operator: 'DoesNotExist' }] }) }, node: { name: 'n', labels: { gpu: 'x' } }, want: AFFINITY },
  { name: 'Gt compares integers', pod: { affinity: required({ matchExpressions: [{ key: 'cores', operator: 'Gt', values: ['8'] }] }) }, node: { name: 'n', labels: { cores: '16' } }, want: undefined },
  { name: 'Gt is strict', pod: { affinity: required({ matchExpressions: [{ key: 'cores', operator: 'Gt', values: ['8'] }] }) }, node: { name: 'n', labels: { cores: '8' } }, want: AFFINITY },
  { name: 'Lt compares integers, not strings', pod: { affinity: required({ matchExpressions: [{ key: 'cores', operator: 'Lt', values: ['10'] }] }) }, node: { name: 'n', labels: { cores: '9' } }, want: undefined },
  { name: 'Gt on a label that is not an integer fails', pod: { affinity: required({ matchExpressions: [{ key: 'cores', operator: 'Gt', values: ['1'] }] }) }, node: { name: 'n', labels: { cores: 'many' } }, want: AFFINITY },
  {
    name: 'expressions in a term are ANDed',
    pod: { affinity: required({ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }, { key: 'disk', operator: 'In', values: ['ssd'] }] }) },
    node: { name: 'n', labels: { zone: 'a', disk: 'hdd' } },
    want: AFFINITY,
  },
  {
    name: 'terms are ORed',
    pod: { affinity: required({ matchExpressions: [{ key: 'zone', operator: 'In', values: ['x'] }] }, { matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] }) },
    node: { name: 'n', labels: { disk: 'ssd' } },
    want: undefined,
  },
  { name: 'an empty term matches nothing', pod: { affinity: required({}) }, node: { name: 'n' }, want: AFFINITY },
  {
    name: 'a malformed term matches nothing but the others still count',
    pod: { affinity: required({ matchExpressions: [{ key: 'cores', operator: 'Gt', values: ['x'] }] }, { matchExpressions: [{ key: 'zone', operator: 'Exists' }] }) },
    node: { name: 'n', labels: { zone: 'a', cores: '4' } },
    want: undefined,
  },
  { name: 'matchFields on metadata.name In', pod: { affinity: required({ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n'] }] }) }, node: { name: 'n' }, want: undefined },
  { name: 'matchFields on metadata.name NotIn', pod: { affinity: required({ matchFields: [{ key: 'metadata.name', operator: 'NotIn', values: ['n'] }] }) }, node: { name: 'n' }, want: AFFINITY },
  {
    name: 'nodeSelector and affinity must both match',
    pod: { nodeSelector: { disk: 'ssd' }, affinity: required({ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }) },
    node: { name: 'n', labels: { zone: 'a' } },
    want: AFFINITY,
  },
]);

const PORTS = ["node(s) didn't have free ports for the requested pod ports"];
table(nodePorts, 'nodePorts()', [
  { name: 'no host ports fit', pod: {}, node: { name: 'n' }, existing: [{ hostPorts: [{ port: 80 }] }], want: undefined },
  { name: 'the same port and protocol conflict', pod: { hostPorts: [{ port: 80 }] }, node: { name: 'n' }, existing: [{ hostPorts: [{ port: 80 }] }], want: PORTS },
  { name: 'another protocol does not', pod: { hostPorts: [{ port: 53, protocol: 'UDP' }] }, node: { name: 'n' }, existing: [{ hostPorts: [{ port: 53 }] }], want: undefined },
  { name: 'another port does not', pod: { hostPorts: [{ port: 81 }] }, node: { name: 'n' }, existing: [{ hostPorts: [{ port: 80 }] }], want: undefined },
  { name: 'different specific IPs do not', pod: { hostPorts: [{ port: 80, ip: '10.0.0.2' }] }, node: { name: 'n' }, existing: [{ hostPorts: [{ port: 80, ip: '10.0.0.1' }] }], want: undefined },
  { name: 'the same specific IP does', pod: { hostPorts: [{ port: 80, ip: '10.0.0.1' }] }, node: { name: 'n' }, existing: [{ hostPorts: [{ port: 80, ip: '10.0.0.1' }] }], want: PORTS },
  { name: '0.0.0.0 conflicts with a specific IP', pod: { hostPorts: [{ port: 80 }] }, node: { name: 'n' }, existing: [{ hostPorts: [{ port: 80, ip: '10.0.0.1' }] }], want: PORTS },
  { name: 'a specific IP conflicts with 0.0.0.0', pod: { hostPorts: [{ port: 80, ip: '10.0.0.1' }] }, node: { name: 'n' }, existing: [{ hostPorts: [{ port: 80 }] }], want: PORTS },
]);

table(nodeResourcesFit, 'nodeResourcesFit()', [
  { name: 'a pod that fits', pod: { cpu: '1', memory: '1Gi' }, node: { name: 'n', cpu: '2', memory: '2Gi' }, want: undefined },
  { name: 'exactly the rest fits', pod: { cpu: '500m' }, node: { name: 'n', cpu: '1' }, existing: [{ cpu: '500m' }], want: undefined },
  { name: 'one millicore more does not', pod: { cpu: '501m' }, node: { name: 'n', cpu: '1' }, existing: [{ cpu: '500m' }], want: ['Insufficient cpu'] },
  { name: 'memory', pod: { memory: '1Gi' }, node: { name: 'n', memory: '1536Mi' }, existing: [{ memory: '1Gi' }], want: ['Insufficient memory'] },
  { name: 'both, in Kubernetes order', pod: { cpu: '3', memory: '9Gi' }, node: { name: 'n', cpu: '2', memory: '8Gi' }, want: ['Insufficient cpu', 'Insufficient memory'] },
  { name: 'pod count', pod: {}, node: { name: 'n', pods: '2' }, existing: [{}, {}], want: ['Too many pods'] },
  { name: 'pod count and cpu', pod: { cpu: '2' }, node: { name: 'n', cpu: '1', pods: '1' }, existing: [{}], want: ['Too many pods', 'Insufficient cpu'] },
  { name: 'a pod without requests fits a full node', pod: {}, node: { name: 'n', cpu: '1' }, existing: [{ cpu: '1' }], want: undefined },
  { name: 'a node without allocatable pods takes none', pod: {}, node: { name: 'n', pods: '0' }, want: ['Too many pods'] },
]);

test('runFilters() reports only the first failing filter, in kube-scheduler order', (t) => {
  const ni = NodeInfo.of(node({ name: 'n', cpu: '1', unschedulable: true, taints: [{ key: 'k', effect: 'NoSchedule' }], labels: { a: 'b' } }));
  t.deepEqual(runFilters(podInfoOf(pod({ cpu: '2', nodeSelector: { a: 'c' } })), ni), ['node(s) were unschedulable']);
  const tolerant = { tolerations: [{ operator: 'Exists' as const }] };
  t.deepEqual(runFilters(podInfoOf(pod({ cpu: '2', nodeSelector: { a: 'c' }, ...tolerant })), ni), AFFINITY);
  t.deepEqual(runFilters(podInfoOf(pod({ cpu: '2', nodeSelector: { a: 'b' }, ...tolerant })), ni), ['Insufficient cpu']);
  t.is(runFilters(podInfoOf(pod({ cpu: '1', nodeSelector: { a: 'b' }, ...tolerant })), ni), undefined);
});

test('runFilters() reports the not-ready taint of a node that has it, as Kubernetes does, and "not ready" otherwise', (t) => {
  const p = podInfoOf(pod({}));
  const tainted = NodeInfo.of(node({ name: 'n', ready: false, taints: [{ key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' }] }));
  t.deepEqual(runFilters(p, tainted), ['node(s) had untolerated taint {node.kubernetes.io/not-ready: }']);
  t.deepEqual(runFilters(p, NodeInfo.of(node({ name: 'n', ready: false }))), ['node(s) were not ready']);
});

test('runFilters() agrees with running FILTERS in order', (t) => {
  const nodes = [
    node({ name: 'a', ready: false, unschedulable: true }),
    node({ name: 'b', taints: [{ key: 'k', effect: 'NoExecute' }], labels: { x: 'y' } }),
    node({ name: 'c', cpu: '100m', labels: { x: 'y' } }),
    node({ name: 'd', labels: { x: 'y' } }),
  ].map((n) => NodeInfo.of(n, [podInfoOf(pod({ nodeName: n.metadata.name!, hostPorts: [{ port: 80 }] }))]));
  const pods = [pod({}), pod({ nodeSelector: { x: 'y' }, cpu: '1' }), pod({ hostPorts: [{ port: 80 }] }), pod({ tolerations: [{ operator: 'Exists' }], cpu: '1' })].map(podInfoOf);
  for (const p of pods) {
    for (const n of nodes) {
      let want: readonly string[] | undefined;
      for (const f of FILTERS) if ((want = f(p, n)) !== undefined) break;
      t.deepEqual(runFilters(p, n), want, `${p.key} on ${n.name}`);
    }
  }
});

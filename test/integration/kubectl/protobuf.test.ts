/**
 * kubectl's typed-client commands, which send their bodies as Kubernetes protobuf, against the
 * real API server: each must succeed and leave the object kubectl meant to create.
 */
import test from 'ava';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { haveKubectl, kubectlLab } from '../../helpers/kubectl.js';

const kt = haveKubectl ? test : test.skip;
if (!haveKubectl) console.warn('kubectl protobuf tests skipped: /usr/bin/kubectl not found (set KUBECTL to its path)');

kt('kubectl create namespace (protobuf) creates the namespace', async (t) => {
  const k = await kubectlLab(t);
  const out = await k(['create', 'namespace', 'team-a']);
  t.is(out.stdout.trim(), 'namespace/team-a created');
  const ns = JSON.parse((await k(['get', 'namespace', 'team-a', '-o', 'json'])).stdout);
  t.is(ns.metadata.name, 'team-a');
  t.is(ns.status.phase, 'Active');
});

kt('kubectl create configmap (protobuf) stores literal, text-file and binary-file data', async (t) => {
  const k = await kubectlLab(t);
  writeFileSync(join(k.dir, 'settings.txt'), 'debug=true\n');
  writeFileSync(join(k.dir, 'blob.bin'), Buffer.from([0xff, 0xfe, 0x00, 0x01]));
  await k(['create', 'configmap', 'app-config', '--from-literal=mode=fast', `--from-file=${join(k.dir, 'settings.txt')}`, `--from-file=${join(k.dir, 'blob.bin')}`]);
  const cm = JSON.parse((await k(['get', 'configmap', 'app-config', '-o', 'json'])).stdout);
  t.deepEqual(cm.data, { mode: 'fast', 'settings.txt': 'debug=true\n' });
  t.deepEqual(cm.binaryData, { 'blob.bin': '//4AAQ==' });
});

kt('kubectl create deployment (protobuf) keeps replicas, image, container port and selector', async (t) => {
  const k = await kubectlLab(t);
  const out = await k(['create', 'deployment', 'web', '--image=nginx:1.27', '--replicas=3', '--port=8080']);
  t.is(out.stdout.trim(), 'deployment.apps/web created');
  const d = JSON.parse((await k(['get', 'deploy', 'web', '-o', 'json'])).stdout);
  t.is(d.spec.replicas, 3);
  t.deepEqual(d.spec.selector, { matchLabels: { app: 'web' } });
  t.deepEqual(d.spec.template.metadata.labels, { app: 'web' });
  t.is(d.spec.template.spec.containers.length, 1);
  t.like(d.spec.template.spec.containers[0], { name: 'nginx', image: 'nginx:1.27', ports: [{ containerPort: 8080, protocol: 'TCP' }] });
});

kt('kubectl create deployment --replicas=0 (protobuf) keeps the explicit zero', async (t) => {
  const k = await kubectlLab(t);
  await k(['create', 'deployment', 'idle', '--image=nginx:1.27', '--replicas=0']);
  const d = JSON.parse((await k(['get', 'deploy', 'idle', '-o', 'json'])).stdout);
  t.is(d.spec.replicas, 0);
});

kt('kubectl create service clusterip (protobuf) creates a ClusterIP service with port 80 -> 8080', async (t) => {
  const k = await kubectlLab(t);
  const out = await k(['create', 'service', 'clusterip', 'web', '--tcp=80:8080']);
  t.is(out.stdout.trim(), 'service/web created');
  const svc = JSON.parse((await k(['get', 'service', 'web', '-o', 'json'])).stdout);
  t.is(svc.spec.type, 'ClusterIP');
  t.deepEqual(svc.spec.selector, { app: 'web' });
  t.like(svc.spec.ports[0], { name: '80-8080', protocol: 'TCP', port: 80, targetPort: 8080 });
  t.regex(svc.spec.clusterIP, /^\d+\.\d+\.\d+\.\d+$/);
});

kt('kubectl create service nodeport (protobuf) creates a NodePort service with the requested node port', async (t) => {
  const k = await kubectlLab(t);
  await k(['create', 'service', 'nodeport', 'web-np', '--tcp=80:8080', '--node-port=30080']);
  const svc = JSON.parse((await k(['get', 'service', 'web-np', '-o', 'json'])).stdout);
  t.is(svc.spec.type, 'NodePort');
  t.like(svc.spec.ports[0], { port: 80, targetPort: 8080, nodePort: 30080 });
});

const node = `apiVersion: v1
kind: Node
metadata:
  name: n1
spec: {}
`;

const podOnNode = `apiVersion: v1
kind: Pod
metadata:
  name: p1
spec:
  nodeName: n1
  containers:
  - name: c
    image: busybox:1.36
`;

kt('kubectl debug node (a protobuf Pod) creates the debugging pod on that node, in its host namespaces', async (t) => {
  const k = await kubectlLab(t);
  await k(['apply', '-f', '-'], { input: node });
  await k(['debug', 'node/n1', '--image=busybox:1.36', '--profile=legacy']);
  const pods = JSON.parse((await k(['get', 'pods', '-o', 'json'])).stdout).items;
  t.is(pods.length, 1);
  t.regex(pods[0].metadata.name, /^node-debugger-n1-/);
  t.like(pods[0].spec, { nodeName: 'n1', hostNetwork: true, hostPID: true, hostIPC: true, restartPolicy: 'Never' });
  t.like(pods[0].spec.volumes.find((v: { name: string }) => v.name === 'host-root'), { hostPath: { path: '/' } });
});

kt('kubectl drain --disable-eviction (protobuf DeleteOptions) cordons the node and deletes its pod', async (t) => {
  const k = await kubectlLab(t);
  await k(['apply', '-f', '-'], { input: node });
  await k(['apply', '-f', '-'], { input: podOnNode });
  await k(['drain', 'n1', '--disable-eviction', '--force', '--grace-period=0', '--timeout=30s']);
  const n = JSON.parse((await k(['get', 'node', 'n1', '-o', 'json'])).stdout);
  t.true(n.spec.unschedulable);
  const gone = await k(['get', 'pod', 'p1'], { allowFail: true });
  t.not(gone.code, 0);
  t.regex(gone.stderr, /NotFound|not found/);
});

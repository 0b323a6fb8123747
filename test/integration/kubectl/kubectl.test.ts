import test from 'ava';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually } from '../../helpers/eventually.js';
import { haveKubectl, kubectlLab, kubectlStream } from '../../helpers/kubectl.js';

const kt = haveKubectl ? test : test.skip;

/** stdout and stderr together: kubectl prints "No resources found" on stderr. */
async function both(k: Awaited<ReturnType<typeof kubectlLab>>, args: string[]): Promise<string> {
  const r = await k(args);
  return r.stdout + r.stderr;
}
if (!haveKubectl) console.warn('kubectl tests skipped: /usr/bin/kubectl not found (set KUBECTL to its path)');

const deployment = (replicas: number, image: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
spec:
  replicas: ${replicas}
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: web
        image: ${image}
        ports:
        - containerPort: 8080
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
  ports:
  - port: 80
    targetPort: 8080
`;

const pod = (name: string, labels = 'app: web') => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  labels:
    ${labels}
spec:
  containers:
  - name: c
    image: busybox:1.36
    command: ["sleep", "3600"]
`;

kt('kubectl apply creates, and applying a changed manifest updates image and replicas', async (t) => {
  const k = await kubectlLab(t);
  const file = join(k.dir, 'web.yaml');
  writeFileSync(file, deployment(2, 'nginx:1.26'));
  const first = await k(['apply', '-f', file]);
  t.regex(first.stdout, /deployment.apps\/web created/);
  t.regex(first.stdout, /service\/web created/);
  writeFileSync(file, deployment(4, 'nginx:1.27'));
  const second = await k(['apply', '-f', file]);
  t.regex(second.stdout, /deployment.apps\/web configured/);
  t.regex(second.stdout, /service\/web unchanged/);
  const got = JSON.parse((await k(['get', 'deployment', 'web', '-o', 'json'])).stdout);
  t.is(got.spec.replicas, 4);
  t.is(got.spec.template.spec.containers[0].image, 'nginx:1.27');
  t.is(got.metadata.generation, 2);
  t.truthy(got.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']);
});

kt('kubectl get prints the usual tables, -o wide, -o yaml, -o json, -l and -A', async (t) => {
  const k = await kubectlLab(t);
  await k(['apply', '-f', '-'], { input: deployment(2, 'nginx:1.27') });
  await k(['apply', '-f', '-'], { input: pod('p1') + '---\n' + pod('p2', 'app: other') });
  await k(['create', 'configmap', 'settings', '--from-literal=a=b']);
  await k(['apply', '-f', '-'], {
    input: `apiVersion: v1
kind: Node
metadata:
  name: worker-1
  labels:
    node-role.kubernetes.io/worker: ""
status:
  nodeInfo:
    kubeletVersion: v1.32.0-kubelab
  conditions:
  - type: Ready
    status: "True"
`,
  });
  const pods = (await k(['get', 'pods'])).stdout;
  t.regex(pods, /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\n/);
  t.regex(pods, /p1\s+0\/1\s+Pending\s+0\s+\d+s/);
  t.regex((await k(['get', 'pods', '-o', 'wide'])).stdout, /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES/);
  const labelled = (await k(['get', 'pods', '-l', 'app=web'])).stdout;
  t.regex(labelled, /p1/);
  t.notRegex(labelled, /p2/);
  t.regex((await k(['get', 'pods', '-A'])).stdout, /^NAMESPACE\s+NAME\s+READY/);
  t.regex((await k(['get', 'nodes'])).stdout, /^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION\nworker-1\s+Ready\s+worker\s+\S+\s+v1\.32\.0-kubelab/);
  t.regex((await k(['get', 'deployments'])).stdout, /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\nweb\s+0\/2\s+0\s+0/);
  t.regex(await both(k, ['get', 'replicasets']), /No resources found|^NAME\s+DESIRED\s+CURRENT\s+READY\s+AGE/);
  // The API server's own "kubernetes" Service comes first, as on any cluster.
  t.regex((await k(['get', 'services'])).stdout, /^NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE\nkubernetes\s+ClusterIP\s+10\.96\.0\.1\s+<none>\s+443\/TCP\s+\S+\nweb\s+ClusterIP\s+10\.96\.\d+\.\d+\s+<none>\s+80\/TCP/);
  t.regex(await both(k, ['get', 'endpoints']), /No resources found|^NAME\s+ENDPOINTS\s+AGE/);
  t.regex(await both(k, ['get', 'events']), /No resources found|^LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE/);
  t.regex((await k(['get', 'configmaps'])).stdout, /^NAME\s+DATA\s+AGE\nsettings\s+1/);
  const yaml = (await k(['get', 'pod', 'p1', '-o', 'yaml'])).stdout;
  t.regex(yaml, /^apiVersion: v1\nkind: Pod\n/);
  t.regex(yaml, /restartPolicy: Always/);
  const json = JSON.parse((await k(['get', 'pods', '-o', 'json'])).stdout);
  t.is(json.kind, 'List');
  t.deepEqual(json.items.map((i: { metadata: { name: string } }) => i.metadata.name), ['p1', 'p2']);
});

kt('kubectl get pods -w prints new pods as they arrive', async (t) => {
  const k = await kubectlLab(t);
  await k(['apply', '-f', '-'], { input: pod('first') });
  const w = kubectlStream(t, k, ['get', 'pods', '-w']);
  await eventually(() => /first\s+0\/1\s+Pending/.test(w.output()), { message: 'initial list in kubectl get -w' });
  await k(['apply', '-f', '-'], { input: pod('second') });
  await eventually(() => /second\s+0\/1\s+Pending/.test(w.output()), { message: 'watched pod in kubectl get -w' });
  await k(['label', 'pod', 'second', 'stage=two']);
  await k(['delete', 'pod', 'second']);
  await eventually(() => (w.output().match(/second/g) ?? []).length >= 2, { message: 'update in kubectl get -w' });
  t.pass();
});

kt('kubectl describe pod and deployment', async (t) => {
  const k = await kubectlLab(t);
  await k(['apply', '-f', '-'], { input: deployment(3, 'nginx:1.27') + '---\n' + pod('p1') });
  const d = (await k(['describe', 'deployment', 'web'])).stdout;
  t.regex(d, /Name:\s+web/);
  t.regex(d, /Replicas:\s+3 desired/);
  t.regex(d, /StrategyType:\s+RollingUpdate/);
  t.regex(d, /Image:\s+nginx:1.27/);
  const p = (await k(['describe', 'pod', 'p1'])).stdout;
  t.regex(p, /Name:\s+p1/);
  t.regex(p, /Status:\s+Pending/);
  t.regex(p, /Image:\s+busybox:1.36/);
  t.regex(p, /Tolerations:\s+node.kubernetes.io\/not-ready:NoExecute/);
});

kt('kubectl scale, label and annotate', async (t) => {
  const k = await kubectlLab(t);
  await k(['apply', '-f', '-'], { input: deployment(2, 'nginx:1.27') });
  t.regex((await k(['scale', 'deployment', 'web', '--replicas=5'])).stdout, /deployment.apps\/web scaled/);
  t.is(JSON.parse((await k(['get', 'deploy', 'web', '-o', 'json'])).stdout).spec.replicas, 5);
  t.regex((await k(['label', 'deployment', 'web', 'tier=front'])).stdout, /labeled/);
  t.regex((await k(['annotate', 'deployment', 'web', 'owner=team-a'])).stdout, /annotated/);
  const got = JSON.parse((await k(['get', 'deploy', 'web', '-o', 'json'])).stdout);
  t.is(got.metadata.labels.tier, 'front');
  t.is(got.metadata.annotations.owner, 'team-a');
  await k(['label', 'deployment', 'web', 'tier-']);
  t.is(JSON.parse((await k(['get', 'deploy', 'web', '-o', 'json'])).stdout).metadata.labels.tier, undefined);
  const clash = await k(['label', 'deployment', 'web', 'app=other'], { allowFail: true });
  t.not(clash.code, 0);
  t.regex(clash.stderr, /already has a value/);
});

kt('kubectl delete -f and delete pod NAME', async (t) => {
  const k = await kubectlLab(t);
  const file = join(k.dir, 'web.yaml');
  writeFileSync(file, deployment(2, 'nginx:1.27'));
  await k(['apply', '-f', file]);
  await k(['apply', '-f', '-'], { input: pod('lonely') });
  const del = await k(['delete', '-f', file]);
  t.regex(del.stdout, /deployment.apps "web" deleted/);
  t.regex(del.stdout, /service "web" deleted/);
  t.regex((await k(['delete', 'pod', 'lonely'])).stdout, /pod "lonely" deleted/);
  t.regex((await k(['get', 'all'])).stdout + (await k(['get', 'all'])).stderr, /No resources found|service\/kubernetes/);
  const missing = await k(['delete', 'pod', 'lonely'], { allowFail: true });
  t.regex(missing.stderr, /pods "lonely" not found/);
});

kt('kubectl create namespace, and objects in it', async (t) => {
  const k = await kubectlLab(t);
  t.regex((await k(['create', 'namespace', 'team-a'])).stdout, /namespace\/team-a created/);
  await k(['-n', 'team-a', 'create', 'configmap', 'c', '--from-literal=x=y']);
  t.regex((await k(['get', 'ns'])).stdout, /team-a\s+Active/);
  t.regex((await k(['-n', 'team-a', 'get', 'cm'])).stdout, /^NAME\s+DATA\s+AGE\nc\s+1/);
  const bad = await k(['apply', '-f', '-'], { input: deployment(-1, 'nginx'), allowFail: true });
  t.not(bad.code, 0);
  t.regex(bad.stderr, /is invalid: spec\.replicas: Invalid value: -1: must be greater than or equal to 0\n/);
  t.notRegex(bad.stderr, /spec\.replicas: spec\.replicas/, 'the field is named once');
});

kt('kubectl apply of a kind the server does not serve says so, as against any cluster', async (t) => {
  const k = await kubectlLab(t);
  const job = 'apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: once\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers:\n      - name: c\n        image: busybox\n';
  const r = await k(['apply', '-f', '-'], { input: job, allowFail: true });
  t.not(r.code, 0);
  t.regex(r.stderr, /no matches for kind "Job" in version "batch\/v1"/);
  t.notRegex(r.stderr, /failed to download openapi|error validating data/);
});

kt('kubectl exec, attach and port-forward get a clear answer that kubelab does not stream to pods', async (t) => {
  const k = await kubectlLab(t);
  await k(['run', 'sleeper', '--image=busybox', '--', 'sleep', '3600']);
  // No kubelet here: report the pod Running, as port-forward asks for a running pod before it connects.
  await k(['patch', 'pod', 'sleeper', '--subresource=status', '--type=merge', '-p', '{"status":{"phase":"Running"}}']);
  for (const args of [['exec', 'sleeper', '--', 'true'], ['attach', 'sleeper'], ['port-forward', 'pod/sleeper', '19999:80']]) {
    const r = await k(['--request-timeout=20s', ...args], { allowFail: true });
    t.not(r.code, 0, args.join(' '));
    t.regex(r.stdout + r.stderr, /not supported by kubelab/, args.join(' '));
  }
  const unknown = await k(['get', '--raw', '/api/v1/namespaces/default/pods/sleeper/nosuchsub'], { allowFail: true });
  t.regex(unknown.stderr, /the server could not find the requested resource/);
});

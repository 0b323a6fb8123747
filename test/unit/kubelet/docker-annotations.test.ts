/**
 * The docker runtime keeps a container's annotations (the kubelet's spec hash among them) as
 * "annotation."-prefixed labels and gives them back from `docker ps` and `docker inspect`, so a
 * restarted kubelet can tell an unchanged container from a changed one; the image reported is the
 * one the container was created with.
 */
import test from 'ava';
import type Docker from 'dockerode';
import { containerFromInspect, containerFromPs } from '../../../src/worker/kubelet/runtimes/docker/convert.js';
import { annotationsOf, containerLabels } from '../../../src/worker/kubelet/runtimes/docker/labels.js';
import type { ContainerConfig } from '../../../src/worker/kubelet/runtime.js';

const config: ContainerConfig = {
  metadata: { name: 'app', attempt: 1 },
  image: 'busybox',
  command: ['sleep', '3600'],
  args: [],
  env: [],
  ports: [],
  resources: {},
  labels: { 'io.kubernetes.container.name': 'app' },
  annotations: { 'io.kubernetes.container.hash': '1a2b3c4d', 'example.com/note': 'a.b' },
};
const pod = { uid: 'u-1', name: 'web', namespace: 'prod' };

test('annotations survive the round trip through Docker labels, in ps and inspect answers', (t) => {
  const labels = containerLabels('sb1', pod, config, { node: 'n1', lab: 'lab1' }, 5000);
  t.deepEqual(annotationsOf(labels), config.annotations);
  const listed = containerFromPs({ Id: 'abc', Image: 'sha256:img', ImageID: 'sha256:img', Created: 5, Labels: labels, State: 'running' } as unknown as Docker.ContainerInfo, 'running');
  t.deepEqual(listed.annotations, config.annotations);
  t.is(listed.image, 'busybox');
  t.false(Object.keys(listed.labels).some((k) => k.startsWith('annotation.')), 'annotations are not labels');
  const inspected = containerFromInspect({
    Id: 'abc',
    Created: '2026-01-01T00:00:00Z',
    Image: 'sha256:img',
    Config: { Labels: labels, Image: 'sha256:img' },
    State: { Status: 'running', Running: true, StartedAt: '2026-01-01T00:00:01Z', FinishedAt: '0001-01-01T00:00:00Z' },
  } as unknown as Docker.ContainerInspectInfo);
  t.deepEqual(inspected.annotations, config.annotations);
  t.is(inspected.image, 'busybox', 'the image the container was created with, not what the tag points at now');
});

test('a container made without annotations has none', (t) => {
  t.deepEqual(annotationsOf({ 'io.kubernetes.container.name': 'app' }), {});
});

/**
 * Shared pieces of the docker runtime's end-to-end tests: whether a daemon answers (the tests skip
 * with a message when not), a lab of their own per test (a unique lab label, a /16 no network or
 * route of the host uses, state directories), and a teardown that removes every container and
 * network carrying the lab's label, even when the test failed.
 */
import type { ExecutionContext } from 'ava';
import Docker from 'dockerode';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { DockerRuntime, type DockerRuntimeOptions } from '../../../src/worker/kubelet/runtimes/docker/index.js';
import { LAB_LABEL } from '../../../src/worker/kubelet/runtimes/docker/labels.js';
import { cidrsOverlap } from '../../../src/worker/kubelet/runtimes/docker/ipam.js';
import { ensureLabImages } from '../../../src/worker/images/index.js';
import type { ContainerConfig, PodSandboxConfig } from '../../../src/worker/kubelet/runtime.js';
import { labImageRef } from '../../../src/worker/images/recipes.js';

/** The daemon, or why there is none: tests skip with that reason. */
export async function probeDocker(): Promise<{ docker: Docker } | { reason: string }> {
  const docker = new Docker();
  try {
    await docker.ping();
    return { docker };
  } catch (err) {
    return { reason: `the Docker daemon does not answer (${err instanceof Error ? err.message : String(err)}); start it: dockerd >/var/log/dockerd.log 2>&1 &` };
  }
}

/** Removes everything labelled with lab: containers first (they hold the networks), then networks. */
export async function removeLab(docker: Docker, lab: string): Promise<void> {
  const filters = JSON.stringify({ label: [`${LAB_LABEL}=${lab}`] });
  const containers = await docker.listContainers({ all: true, filters } as Docker.ContainerListOptions);
  await Promise.all(containers.map((c) => docker.getContainer(c.Id).remove({ force: true, v: true }).catch(() => undefined)));
  const networks = await docker.listNetworks({ filters } as Docker.NetworkListOptions);
  for (const n of networks) await docker.getNetwork(n.Id).remove().catch(() => undefined);
}

/** Subnets the host already uses: Docker networks and routes. */
async function usedSubnets(docker: Docker): Promise<string[]> {
  const used: string[] = [];
  for (const n of await docker.listNetworks()) for (const c of n.IPAM?.Config ?? []) if (c.Subnet && !c.Subnet.includes(':')) used.push(c.Subnet);
  const routes = JSON.parse(execFileSync('ip', ['-j', '-4', 'route', 'show', 'table', 'all']).toString() || '[]') as { dst?: string }[];
  for (const r of routes) if (r.dst && r.dst !== 'default' && /^\d/.test(r.dst)) used.push(r.dst.includes('/') ? r.dst : `${r.dst}/32`);
  return used;
}

/** A 10.x.0.0/16 that no Docker network and no route of the host overlaps. */
export async function freeSubnet(docker: Docker): Promise<string> {
  const used = await usedSubnets(docker);
  const start = 200 + (randomBytes(1)[0]! % 40);
  for (let i = 0; i < 40; i++) {
    const cidr = `10.${200 + ((start - 200 + i) % 40)}.0.0/16`;
    if (!used.some((u) => cidrsOverlap(u, cidr))) return cidr;
  }
  throw new Error('no free 10.200-239.0.0/16 subnet for a test network');
}

/** One test's lab: its name, network, subnet, and a factory of runtimes ("nodes") on it. */
export interface TestLab {
  docker: Docker;
  lab: string;
  network: string;
  subnet: string;
  /** The /24 of node index i inside the subnet ("10.x.i.0/24"). */
  podCidr(i: number): string;
  /** A runtime for a node of this lab; stateDir defaults to a fresh temporary directory. */
  runtime(node: string, o?: Partial<DockerRuntimeOptions>): DockerRuntime;
  /** A fresh temporary directory removed in teardown. */
  tempDir(): string;
}

/** Makes a lab for one test, torn down (containers, networks, directories) when the test ends. */
export async function testLab(t: ExecutionContext, docker: Docker): Promise<TestLab> {
  const lab = `kltest-${process.pid}-${randomBytes(3).toString('hex')}`;
  const subnet = await freeSubnet(docker);
  const dirs: string[] = [];
  const runtimes: DockerRuntime[] = [];
  t.teardown(async () => {
    for (const r of runtimes) await r.close();
    await removeLab(docker, lab);
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  const tempDir = () => {
    const d = mkdtempSync(join(tmpdir(), 'kltest-docker-'));
    dirs.push(d);
    return d;
  };
  const second = subnet.split('.')[1];
  return {
    docker,
    lab,
    network: lab,
    subnet,
    podCidr: (i) => `10.${second}.${i}.0/24`,
    tempDir,
    runtime: (node, o = {}) => {
      const r = new DockerRuntime({ docker, nodeName: node, lab, network: { name: lab, subnet }, stateDir: o.stateDir ?? tempDir(), ...o });
      runtimes.push(r);
      return r;
    },
  };
}

/** Builds the lab images once per process (idempotent: a no-op when they are current). */
let imagesReady: Promise<unknown> | undefined;
export function labImages(docker: Docker): Promise<unknown> {
  return (imagesReady ??= ensureLabImages(docker));
}

export const PAUSE_IMAGE = labImageRef('pause');
export const ECHO_IMAGE = labImageRef('echo');

/** A sandbox config for a test pod. */
export function sandboxConfig(name: string, o: Partial<PodSandboxConfig> = {}): PodSandboxConfig {
  const uid = `${name}-${randomBytes(4).toString('hex')}`;
  return {
    metadata: { uid, name, namespace: 'default', attempt: 0 },
    hostname: name,
    hostNetwork: false,
    portMappings: [],
    labels: { app: name },
    annotations: {},
    ...o,
  };
}

/** A container config for a test container. */
export function containerConfig(name: string, image: string, o: Partial<ContainerConfig> = {}): ContainerConfig {
  return { metadata: { name, attempt: 0 }, image, command: [], args: [], env: [], ports: [], resources: {}, labels: {}, annotations: {}, ...o };
}

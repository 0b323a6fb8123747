/**
 * Docker's answers in CRI's words (what dockershim's convert.go and docker_container.go do): the
 * state of a container, the reason of an exit, a `docker ps` entry or an inspect result as the
 * sandboxes and containers the kubelet reads. Pure, so every mapping is tested without a daemon.
 */
import type Docker from 'dockerode';
import { CONTAINER_NAME_LABEL, type ContainerInfo, type ContainerState, type ContainerStatusInfo, type PodSandbox } from '../../runtime.js';
import { CREATED_AT_LABEL, HOST_NETWORK_LABEL, SANDBOX_ID_LABEL, SPEC_IMAGE_LABEL, annotationsOf, attemptOf, podRefOf, userLabels } from './labels.js';

/** The parts of a container's State that decide its CRI state and exit. */
export interface DockerState {
  Status: string;
  Running?: boolean;
  OOMKilled?: boolean;
  ExitCode?: number;
  Error?: string;
  StartedAt?: string;
  FinishedAt?: string;
}

/** Docker's zero time ("0001-01-01T00:00:00Z") and unparsable times are undefined. */
export function dockerTime(s: string | undefined): number | undefined {
  if (!s || s.startsWith('0001-01-01')) return undefined;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : t;
}

/**
 * The CRI state of a container. A container whose start failed stays "created" in Docker with
 * State.Error set; CRI calls it exited (reason StartError), or the kubelet would start it again.
 */
export function criState(s: DockerState): ContainerState {
  switch (s.Status) {
    case 'running':
    case 'paused':
    case 'restarting':
      return 'running';
    case 'created':
      return s.Error ? 'exited' : 'created';
    case 'exited':
    case 'dead':
      return 'exited';
    default:
      // "removing" and anything newer: the kubelet must not act on it as if it knew.
      return 'unknown';
  }
}

/** Exit code, reason and message of an exited container, in Kubernetes' words. */
export function exitOf(s: DockerState): { exitCode: number; reason: string; message?: string } | undefined {
  if (criState(s) !== 'exited') return undefined;
  if (s.Status === 'created' && s.Error) {
    // runc reports 127 or 128 for a command it cannot exec; keep Docker's code, default 128 as CRI.
    return { exitCode: s.ExitCode || 128, reason: 'StartError', message: s.Error };
  }
  const exitCode = s.ExitCode ?? 0;
  if (s.OOMKilled) return { exitCode, reason: 'OOMKilled' };
  return { exitCode, reason: exitCode === 0 ? 'Completed' : 'Error', ...(s.Error ? { message: s.Error } : {}) };
}

function createdAtOf(labels: Record<string, string>, dockerCreatedMs: number): number {
  const n = Number(labels[CREATED_AT_LABEL]);
  return Number.isFinite(n) && n > 0 ? n : dockerCreatedMs;
}

/** The IP of a sandbox on network from a ps entry's or inspect's NetworkSettings; undefined when it has none. */
export function ipOn(networks: Record<string, { IPAddress?: string }> | undefined, network: string): string | undefined {
  const ip = networks?.[network]?.IPAddress;
  return ip ? ip : undefined;
}

/** A sandbox from `docker ps`. */
export function sandboxFromPs(c: Docker.ContainerInfo, network: string): PodSandbox {
  const labels = c.Labels ?? {};
  const ready = c.State === 'running';
  const ip = ready && labels[HOST_NETWORK_LABEL] !== 'true' ? ipOn(c.NetworkSettings?.Networks as Record<string, { IPAddress?: string }>, network) : undefined;
  return {
    id: c.Id,
    metadata: { ...podRefOf(labels), attempt: attemptOf(labels) },
    state: ready ? 'ready' : 'notready',
    createdAt: createdAtOf(labels, c.Created * 1000),
    ips: ip ? [ip] : [],
    labels: userLabels(labels),
  };
}

/** A sandbox from `docker inspect`. */
export function sandboxFromInspect(c: Docker.ContainerInspectInfo, network: string): PodSandbox {
  const labels = c.Config.Labels ?? {};
  const ready = c.State.Running === true;
  const ip = ready && labels[HOST_NETWORK_LABEL] !== 'true' ? ipOn(c.NetworkSettings?.Networks as Record<string, { IPAddress?: string }>, network) : undefined;
  return {
    id: c.Id,
    metadata: { ...podRefOf(labels), attempt: attemptOf(labels) },
    state: ready ? 'ready' : 'notready',
    createdAt: createdAtOf(labels, Date.parse(c.Created)),
    ips: ip ? [ip] : [],
    labels: userLabels(labels),
  };
}

/** A container from `docker ps`; state is passed in because a "created" entry may need an inspect to tell a failed start. */
export function containerFromPs(c: Docker.ContainerInfo, state: ContainerState): ContainerInfo {
  const labels = c.Labels ?? {};
  return {
    id: c.Id,
    sandboxId: labels[SANDBOX_ID_LABEL] ?? '',
    pod: podRefOf(labels),
    metadata: { name: labels[CONTAINER_NAME_LABEL] ?? '', attempt: attemptOf(labels) },
    image: labels[SPEC_IMAGE_LABEL] ?? c.Image,
    imageRef: c.ImageID,
    state,
    createdAt: createdAtOf(labels, c.Created * 1000),
    labels: userLabels(labels),
    annotations: annotationsOf(labels),
  };
}

/** A container with its run from `docker inspect`. */
export function containerFromInspect(c: Docker.ContainerInspectInfo): ContainerStatusInfo {
  const labels = c.Config.Labels ?? {};
  const s = c.State as DockerState;
  const state = criState(s);
  const out: ContainerStatusInfo = {
    id: c.Id,
    sandboxId: labels[SANDBOX_ID_LABEL] ?? '',
    pod: podRefOf(labels),
    metadata: { name: labels[CONTAINER_NAME_LABEL] ?? '', attempt: attemptOf(labels) },
    image: labels[SPEC_IMAGE_LABEL] ?? c.Config.Image,
    imageRef: c.Image,
    state,
    createdAt: createdAtOf(labels, Date.parse(c.Created)),
    labels: userLabels(labels),
    annotations: annotationsOf(labels),
  };
  const startedAt = dockerTime(s.StartedAt);
  const finishedAt = dockerTime(s.FinishedAt);
  if (startedAt !== undefined) out.startedAt = startedAt;
  const exit = exitOf(s);
  if (exit) {
    out.exitCode = exit.exitCode;
    out.reason = exit.reason;
    if (exit.message !== undefined) out.message = exit.message;
    // A failed start never ran: Docker leaves both times zero; the failure happened after creation.
    // A process that exits at once can be stamped finished a little before Docker stamps it
    // started (the two come from different places); the kubelet reports the end no earlier than the start.
    out.finishedAt = Math.max(finishedAt ?? startedAt ?? out.createdAt, startedAt ?? -Infinity);
  }
  return out;
}

/**
 * The container runtime interface, shaped like Kubernetes' CRI (staging/src/k8s.io/cri-api,
 * RuntimeService and ImageService): the kubelet decides, a runtime does. Implementations live in
 * runtimes/ (fake now; docker and process next) and never see API objects: the kubelet turns a
 * pod into a sandbox config and container configs, and reads back sandboxes and containers.
 *
 * Identity travels with every sandbox and container (pod uid, name, namespace; container name;
 * attempt), as CRI keeps it in labels and metadata, so that a restarted kubelet can list what the
 * runtime already runs and adopt it instead of starting duplicates. So does the hash of each
 * container's spec (an annotation), so that the adopted containers are restarted only if their
 * spec changed meanwhile.
 *
 * Times are milliseconds since the epoch (CRI uses nanoseconds; the lab's clocks are ms).
 */

/** Label keys Kubernetes puts on sandboxes and containers (k8s.io/kubelet/pkg/types/labels.go). */
export const POD_NAME_LABEL = 'io.kubernetes.pod.name';
export const POD_NAMESPACE_LABEL = 'io.kubernetes.pod.namespace';
export const POD_UID_LABEL = 'io.kubernetes.pod.uid';
export const CONTAINER_NAME_LABEL = 'io.kubernetes.container.name';
/**
 * Annotation on a container: the hash of its spec when it was created (kuberuntime's
 * containerHashLabel, hex). The kubelet restarts a running container whose spec no longer hashes
 * to it; runtimes must store annotations and give them back, across kubelet restarts too.
 */
export const CONTAINER_HASH_ANNOTATION = 'io.kubernetes.container.hash';

/** Which pod a sandbox or container belongs to. */
export interface PodRef {
  uid: string;
  name: string;
  namespace: string;
}

/** CRI PodSandboxMetadata: the pod, and which sandbox of it (a replacement sandbox has attempt + 1). */
export interface PodSandboxMetadata extends PodRef {
  attempt: number;
}

/** A port to publish on the host (CRI PortMapping), from containers' hostPort. */
export interface PortMapping {
  protocol: 'TCP' | 'UDP' | 'SCTP';
  containerPort: number;
  hostPort: number;
  hostIP?: string;
}

/** CRI PodSandboxConfig, for the fields the lab uses. */
export interface PodSandboxConfig {
  metadata: PodSandboxMetadata;
  /** The pod's hostname (its name, as the kubelet sets it). */
  hostname: string;
  /** Share the node's network: the pod gets the node's IPs instead of its own. */
  hostNetwork: boolean;
  portMappings: PortMapping[];
  /** Where runtimes that write log files put this pod's container logs (CRI log_directory). */
  logDirectory?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export type PodSandboxState = 'ready' | 'notready';

/** A sandbox as ListPodSandbox and PodSandboxStatus report it. */
export interface PodSandbox {
  id: string;
  metadata: PodSandboxMetadata;
  state: PodSandboxState;
  createdAt: number;
  /**
   * The pod's IPs, primary first (CRI PodSandboxNetworkStatus). Empty for host-network pods (the
   * kubelet reports the node's IPs) and for stopped sandboxes, whose addresses were reclaimed.
   */
  ips: string[];
  labels: Record<string, string>;
}

/** Which sandboxes ListPodSandbox returns; every field given must match. */
export interface PodSandboxFilter {
  id?: string;
  state?: PodSandboxState;
  podUid?: string;
}

/** CRI ContainerMetadata: the container's name in the pod spec and its attempt (restart count). */
export interface ContainerMetadata {
  name: string;
  attempt: number;
}

/** hostPath types the runtimes check (Kubernetes' HostPathType, for the ones that matter here). */
export type HostPathType = '' | 'DirectoryOrCreate' | 'Directory' | 'File' | 'Socket' | 'FileOrCreate';

/** One pod volume mounted into a container (CRI Mount, with the volume's source). */
export interface ContainerMount {
  /** The pod volume's name (an emptyDir's directory name). */
  volume: string;
  /** Absolute path inside the container. */
  containerPath: string;
  readOnly?: boolean;
  /** emptyDir: a per-pod directory the runtime owns, shared by the pod's containers; hostPath: a path on the node. */
  source: { emptyDir: Record<string, never> } | { hostPath: { path: string; type?: HostPathType } };
}

/** CRI ContainerConfig, for the fields the lab uses. */
export interface ContainerConfig {
  metadata: ContainerMetadata;
  /** The image as pulled (the reference PullImage returned or the spec's image). */
  image: string;
  /** Entrypoint; empty means the image's (Kubernetes' command). */
  command: string[];
  /** Arguments; empty means the image's (Kubernetes' args). */
  args: string[];
  workingDir?: string;
  /** Environment, already resolved by the kubelet (values, not references). */
  env: { name: string; value: string }[];
  /** Ports the container listens on (informational for runtimes that publish them). */
  ports: { containerPort: number; protocol: 'TCP' | 'UDP' | 'SCTP'; name?: string }[];
  /** Limits: CPU in millicores and memory in bytes; absent means unlimited. */
  resources: { cpuMillis?: number; memoryBytes?: number };
  /** Volumes to mount (runtimes without a filesystem of their own, such as process, ignore them). */
  mounts?: ContainerMount[];
  /** Log file of this container, relative to the sandbox's logDirectory (CRI log_path). */
  logPath?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export type ContainerState = 'created' | 'running' | 'exited' | 'unknown';

/** A container as ListContainers reports it. */
export interface ContainerInfo {
  id: string;
  sandboxId: string;
  /** The pod it belongs to. */
  pod: PodRef;
  metadata: ContainerMetadata;
  /** The image the container was created with (its config's image, as the spec named it then). */
  image: string;
  /** The image's ID or digest, for status.imageID. */
  imageRef: string;
  state: ContainerState;
  createdAt: number;
  labels: Record<string, string>;
  /** The config's annotations (the spec hash among them), plus any the runtime adds. */
  annotations: Record<string, string>;
}

/** A container as ContainerStatus reports it: ContainerInfo plus its run. */
export interface ContainerStatusInfo extends ContainerInfo {
  /** When it started running; absent while created. */
  startedAt?: number;
  /** When it exited; absent until then. */
  finishedAt?: number;
  /** Exit code once exited. */
  exitCode?: number;
  /** Why it exited, in Kubernetes' words: "Completed", "Error", "OOMKilled", "StartError". */
  reason?: string;
  /** A human-readable detail of the exit (termination message, start error). */
  message?: string;
}

/** Which containers ListContainers returns; every field given must match. */
export interface ContainerFilter {
  id?: string;
  sandboxId?: string;
  podUid?: string;
  state?: ContainerState;
}

/** CRI ContainerEventType. */
export type ContainerEventType = 'created' | 'started' | 'stopped' | 'deleted';

/** One event of GetContainerEvents: the kubelet reacts to exits as they happen. */
export interface ContainerEvent {
  type: ContainerEventType;
  containerId: string;
  sandboxId: string;
  pod: PodRef;
  containerName: string;
  time: number;
}

/** What `kubectl logs` can ask of a container's log (the kubelet picks the container for --previous). */
export interface LogOptions {
  /** Keep the stream open and send new lines until the container exits or signal aborts. */
  follow?: boolean;
  /** Only the last n lines (before following). */
  tailLines?: number;
  /** Only lines written at or after this time, ms since the epoch. */
  sinceTime?: number;
  /** Ends a follow. */
  signal?: AbortSignal;
}

/** One line of a container's output, as CRI log files hold them. */
export interface LogEntry {
  time: number;
  stream: 'stdout' | 'stderr';
  /** The line, without its newline. */
  line: string;
}

/** The answer of ExecSync. */
export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** CRI RuntimeCondition: RuntimeReady and NetworkReady; the node is not Ready while either is false. */
export interface RuntimeCondition {
  type: 'RuntimeReady' | 'NetworkReady';
  status: boolean;
  reason?: string;
  message?: string;
}

/** CRI VersionResponse. */
export interface RuntimeVersion {
  /** "fake", "docker", "process": the scheme of container IDs ("docker://abc"). */
  runtimeName: string;
  runtimeVersion: string;
  runtimeApiVersion: string;
}

/** An image the runtime has (CRI ImageStatus). */
export interface ImageInfo {
  /** Its ID or digest, for status.imageID. */
  ref: string;
  sizeBytes?: number;
}

/** CRI RuntimeConfig: what the kubelet learns after start and hands down (the node's pod CIDR). */
export interface RuntimeConfig {
  podCIDR?: string;
}

/**
 * The container runtime. Every method may be slow (a daemon call, a process start); none is
 * called twice at once for the same container by the kubelet, but calls for different pods run
 * concurrently. Errors are thrown as Errors whose message says what failed; the ones the kubelet
 * branches on are the classes below.
 */
export interface ContainerRuntime {
  /** Name and versions of the runtime; nodeInfo.containerRuntimeVersion is "<runtimeName>://<runtimeVersion>". */
  version(): Promise<RuntimeVersion>;

  /** RuntimeReady and NetworkReady; the kubelet reports the node NotReady while one is false. */
  status(): Promise<RuntimeCondition[]>;

  /** Hands down configuration learnt after start (CRI UpdateRuntimeConfig): the node's pod CIDR. */
  updateRuntimeConfig(config: RuntimeConfig): Promise<void>;

  /**
   * Creates and starts a sandbox for a pod and gives it its IP (CRI RunPodSandbox). Returns the
   * sandbox ID. A pod has one ready sandbox at a time; the kubelet stops the old before it asks
   * for a new one.
   */
  runPodSandbox(config: PodSandboxConfig): Promise<string>;

  /**
   * Stops a sandbox: kills any container still running in it at once and reclaims its network
   * (CRI StopPodSandbox). The kubelet stops containers gracefully first. Stopping a stopped
   * sandbox succeeds; an unknown ID throws NotFoundError.
   */
  stopPodSandbox(id: string): Promise<void>;

  /** Removes a sandbox and every container in it (CRI RemovePodSandbox); an unknown ID succeeds. */
  removePodSandbox(id: string): Promise<void>;

  /** The sandbox with this ID (CRI PodSandboxStatus); NotFoundError if there is none. */
  podSandboxStatus(id: string): Promise<PodSandbox>;

  /** Sandboxes matching filter, all when none (CRI ListPodSandbox). */
  listPodSandboxes(filter?: PodSandboxFilter): Promise<PodSandbox[]>;

  /** The image if present (CRI ImageStatus), for pull policy IfNotPresent and Never. */
  imageStatus(image: string): Promise<ImageInfo | undefined>;

  /**
   * Pulls an image (CRI PullImage) and resolves with its ref. A pull that fails throws an
   * ImagePullError carrying the runtime's message ("pull access denied ...", "not found").
   */
  pullImage(image: string, options?: { signal?: AbortSignal }): Promise<string>;

  /**
   * Creates a container in a ready sandbox, not started yet (CRI CreateContainer). Returns the
   * container ID. sandboxConfig is the config the sandbox was made with, as CRI passes it.
   */
  createContainer(sandboxId: string, config: ContainerConfig, sandboxConfig: PodSandboxConfig): Promise<string>;

  /**
   * Starts a created container (CRI StartContainer); resolves once it runs. A container whose
   * process cannot start (no such command) ends up exited with reason "StartError", and the call
   * throws.
   */
  startContainer(id: string): Promise<void>;

  /**
   * Stops a container (CRI StopContainer): SIGTERM, then SIGKILL after timeoutSeconds. Resolves
   * once it has exited; stopping an exited container succeeds at once.
   */
  stopContainer(id: string, timeoutSeconds: number): Promise<void>;

  /** Removes a stopped container (a running one is killed first); an unknown ID succeeds. */
  removeContainer(id: string): Promise<void>;

  /** Containers matching filter, all when none (CRI ListContainers). */
  listContainers(filter?: ContainerFilter): Promise<ContainerInfo[]>;

  /** One container with its run (CRI ContainerStatus); NotFoundError if there is none. */
  containerStatus(id: string): Promise<ContainerStatusInfo>;

  /**
   * Container events as they happen (CRI GetContainerEvents), until signal aborts; then the
   * iteration ends. Each call is its own subscription; events before the call are not replayed.
   */
  events(signal: AbortSignal): AsyncIterable<ContainerEvent>;

  /**
   * Runs a command in a running container and waits for it (CRI ExecSync), for exec probes.
   * Throws when the container is not running or timeoutMs passes first.
   */
  execSync(id: string, cmd: string[], options?: { timeoutMs?: number; signal?: AbortSignal }): Promise<ExecResult>;

  /**
   * A container's output as a stream of lines (what CRI runtimes write to log files and the
   * kubelet reads back): tailLines and sinceTime select the start, follow keeps it open. Works for
   * exited containers too, until they are removed; NotFoundError for unknown IDs.
   */
  containerLogs(id: string, options?: LogOptions): AsyncIterable<LogEntry>;

  /** Releases the runtime's connections; containers keep running (the kubelet may restart). */
  close(): Promise<void>;
}

/** A pull that failed: the container waits with reason ErrImagePull and this message. */
export class ImagePullError extends Error {
  override readonly name = 'ImagePullError';
  constructor(
    readonly image: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A sandbox or container ID the runtime does not know. */
export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
  constructor(
    readonly kind: 'sandbox' | 'container',
    readonly id: string,
  ) {
    super(`${kind} "${id}" not found`);
  }
}

/** Whether err says that a sandbox or container does not exist. */
export function isRuntimeNotFound(err: unknown): err is NotFoundError {
  return err instanceof NotFoundError;
}

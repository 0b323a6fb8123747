/**
 * The provider seam: where a lab's nodes live. `local` runs every component as a process on
 * this machine (the embedded default); `vagrant` and `ssh` (later issues) bootstrap VMs or hosts
 * over SSH and run the same components as services. Bring-up itself is an ordered list of
 * actions (bootstrap/actions) that a provider executes, as kind does.
 */
import type { LabState } from './state.js';
import type { TimingProfile } from './timings.js';

export interface UpOptions {
  /** Cluster name; state lives in <home>/<name>. */
  name: string;
  /** Root of the lab's state (default ./.lab). */
  home: string;
  /** Worker nodes to run (0: control plane only). */
  workers: number;
  /** Container runtime of the kubelets. */
  runtime: 'process' | 'docker' | 'fake';
  /** How fast failures are noticed: the lab's fast profile or Kubernetes' defaults. */
  timings: TimingProfile;
  /** API server port; 0 picks a free one (default 6443 when free). */
  apiPort: number;
  /** Keep whatever started if bring-up fails (for debugging), instead of tearing it down. */
  retain: boolean;
  /** Log verbosity of the daemons. */
  verbosity: number;
  /** Progress lines for the user. */
  progress(line: string): void;
  signal?: AbortSignal;
}

export interface ComponentHealth {
  component: string;
  node: string;
  pid?: number;
  running: boolean;
  healthy: boolean;
  detail: string;
}

export interface Provider {
  readonly name: string;
  /** Brings the cluster up and returns its recorded state; tears down on failure unless retain. */
  up(o: UpOptions): Promise<LabState>;
  /** Stops every component the lab started, and nothing else; keeps data unless purge. */
  down(state: LabState, o: { purge: boolean; progress(line: string): void }): Promise<void>;
  /** Whether each component runs and answers its health check. */
  status(state: LabState): Promise<ComponentHealth[]>;

  /**
   * Takes a worker node away at once, as a power loss would: its kubelet, proxy and every pod on
   * it die without warning. The node stays down until startNode.
   */
  crashNode(state: LabState, node: string): Promise<void>;

  /**
   * Starts a stopped or crashed node's components again and waits until they are healthy.
   * Resolves with the components it started: none when the node was already running.
   */
  startNode(state: LabState, node: string): Promise<string[]>;

  /**
   * Starts again every component of the lab that is not running (a crashed API server, a
   * killed scheduler, a crashed node), control plane first, and waits until they are healthy;
   * resolves with what it started. What `./lab up` does to a lab that is partly running.
   */
  restartStopped(state: LabState): Promise<string[]>;
}

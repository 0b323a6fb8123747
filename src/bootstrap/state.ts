/**
 * What a lab has started, recorded in <home>/<name>/state.json so that `lab down` and
 * `lab status` act on exactly those components. Written atomically (temp file + rename).
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface ComponentState {
  /** apiserver, scheduler, controller-manager, kubelet, proxy. */
  name: string;
  /** Node the component belongs to. */
  node: string;
  pid: number;
  /** Program and arguments, to recognise the process later. */
  argv: string[];
  log: string;
  /** URL answering 200 when healthy. */
  health: string;
  startedAt: string;
}

export interface NodeState {
  name: string;
  role: 'control-plane' | 'worker';
  /** Address its components use (a loopback address for local nodes). */
  address: string;
}

export interface LabState {
  name: string;
  provider: string;
  createdAt: string;
  dir: string;
  apiServer: { url: string; tokenFile: string; caFile: string };
  kubeconfig: string;
  runtime: string;
  /** The local provider's address slot (providers/local/slots.ts). */
  slot?: number;
  /** The timing profile the lab was started with. */
  timings: string;
  nodes: NodeState[];
  components: ComponentState[];
}

export function clusterDir(home: string, name: string): string {
  return resolve(home, name);
}

export function statePath(home: string, name: string): string {
  return join(clusterDir(home, name), 'state.json');
}

export function loadState(home: string, name: string): LabState | undefined {
  const p = statePath(home, name);
  if (!existsSync(p)) return undefined;
  try {
    return JSON.parse(readFileSync(p, 'utf8')) as LabState;
  } catch (err) {
    throw new Error(`cannot read lab state "${p}": ${(err as Error).message}`, { cause: err });
  }
}

export function saveState(state: LabState): void {
  mkdirSync(state.dir, { recursive: true });
  const p = join(state.dir, 'state.json');
  writeFileSync(`${p}.tmp`, JSON.stringify(state, null, 2) + '\n');
  renameSync(`${p}.tmp`, p);
}

/**
 * Starting a container's shim (shim.mjs) and reading its one-line answer: it started the process
 * (pid, group, times) or could not (the start error). A shim that dies or hangs before answering
 * is a start error too, reported with what it wrote to its log.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Clock } from '../../../../util/clock.js';
import { signalGroup } from './host.js';
import { readJsonSync, type StartedRecord } from './state.js';

const SHIM = fileURLToPath(new URL('./shim.mjs', import.meta.url));

/** What the shim says once. */
export type Handshake = { started: StartedRecord } | { error: string };

export interface ShimStart {
  nodePath: string;
  /** The container's directory (holding container.json), the shim's argument. */
  containerDir: string;
  /** Where the shim's own stderr goes. */
  shimLog: string;
  /** started.json, to kill the process of a shim that hung after starting it. */
  startedFile: string;
  timeoutMs: number;
  clock: Clock;
}

/** Spawns the shim detached (it outlives the kubelet) and resolves with its answer; the child is unref'd. */
export async function startShim(o: ShimStart): Promise<{ child: ChildProcess; hello: Handshake }> {
  const errFd = openSync(o.shimLog, 'a');
  let child: ChildProcess;
  try {
    // An empty environment: the kubelet's NODE_OPTIONS (a TypeScript loader, say) must not slow the shim.
    child = spawn(o.nodePath, [SHIM, o.containerDir], { detached: true, stdio: ['ignore', 'pipe', errFd], env: {} });
  } finally {
    closeSync(errFd);
  }
  const hello = await handshake(child, o);
  child.unref();
  return { child, hello };
}

function handshake(child: ChildProcess, o: ShimStart): Promise<Handshake> {
  return new Promise<Handshake>((resolve) => {
    let out = '';
    let settled = false;
    const finish = (h: Handshake) => {
      if (settled) return;
      settled = true;
      cancel();
      child.stdout?.destroy();
      resolve(h);
    };
    const cancel = o.clock.setTimer(o.timeoutMs, () => {
      try {
        child.kill('SIGKILL');
      } catch {
        // gone already
      }
      const started = readJsonSync<StartedRecord>(o.startedFile);
      if (started) signalGroup(started.pgid, 'SIGKILL');
      finish({ error: `the shim did not start the process within ${o.timeoutMs} ms${shimErrors(o.shimLog)}` });
    });
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (s: string) => {
      out += s;
      const nl = out.indexOf('\n');
      if (nl < 0) return;
      try {
        finish(JSON.parse(out.slice(0, nl)) as Handshake);
      } catch {
        finish({ error: `the shim said something unexpected: ${JSON.stringify(out.slice(0, 200))}` });
      }
    });
    child.once('error', (err) => finish({ error: `cannot run the shim with ${o.nodePath}: ${err.message}` }));
    // 'close', not 'exit': a shim whose process exits at once may exit before its answer on stdout
    // has been read, and 'close' comes only after all of stdout has been delivered.
    child.once('close', (code, signal) => finish({ error: `the shim exited (${signal ?? code}) before starting the process${shimErrors(o.shimLog)}` }));
  });
}

/** The end of the shim's log, as ": <text>", or nothing. */
function shimErrors(path: string): string {
  try {
    const text = readFileSync(path, 'utf8').trim();
    return text ? `: ${text.slice(-2000)}` : '';
  } catch {
    return '';
  }
}

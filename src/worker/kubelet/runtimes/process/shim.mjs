/**
 * The container shim of the process runtime: containerd-shim's job in plain Node.js (no
 * TypeScript loader, so it starts fast and depends on nothing). One shim per container runs the
 * container's process and outlives the kubelet that started it, so a restarted kubelet still
 * learns the exit code and finds every line of output.
 *
 *   node shim.mjs <containerDir>
 *
 * reads <containerDir>/container.json (process.argv, process.env, process.cwd, logFile), then
 *  - starts the process in a session and process group of its own (pgid = pid), so the runtime
 *    signals the whole container with kill(-pgid) and never the shim;
 *  - writes started.json ({pid, pgid, shimPid, startedAt, pidStart, shimStart}) and says one JSON
 *    line on stdout, {"started": {...}} or {"error": "..."}, then closes stdout: the runtime may
 *    be gone later, and the shim must not write to a pipe nobody reads;
 *  - writes stdout and stderr to logFile in CRI's format ("<RFC3339Nano> stdout F <line>", long
 *    lines cut into P records of 16 KiB), the same format cri-log.ts reads;
 *  - when the process exits, kills what is left of its group (as Docker does when a container's
 *    PID 1 exits), waits for the output to drain and writes exit.json ({exitCode, signal, reason,
 *    finishedAt}; a process killed by signal N exits 128+N), then exits.
 * Files are written atomically (temporary file, rename). The shim's own errors go to its stderr,
 * which the runtime points at shim.log.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { constants } from 'node:os';
import { join } from 'node:path';

const MAX_RECORD_BYTES = 16 * 1024;
/** How long output may keep flowing after the process exited (a child that escaped the group holds the pipe). */
const DRAIN_MS = 2000;

const dir = process.argv[2];
if (!dir) {
  process.stderr.write('usage: node shim.mjs <containerDir>\n');
  process.exit(2);
}
const record = JSON.parse(readFileSync(join(dir, 'container.json'), 'utf8'));
const { argv, env, cwd } = record.process;

// Stop signals are for the container's group, which the shim is not in; a stray one (a terminal
// hang-up) must not cost the exit code.
for (const s of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(s, () => {});

function writeJsonAtomic(name, value) {
  const path = join(dir, name);
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(value, null, 1) + '\n');
  renameSync(tmp, path);
}

function startTicks(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

let told = false;
function tell(message) {
  if (told) return;
  told = true;
  try {
    writeSync(1, JSON.stringify(message) + '\n');
    closeSync(1);
  } catch {
    // The runtime is gone; started.json and exit.json say the same.
  }
}

// Wall-clock nanoseconds that never go backwards within the shim, so records stay in order.
const originNs = BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint();
function timestamp() {
  const ns = originNs + process.hrtime.bigint();
  const ms = Number(ns / 1_000_000n);
  return `${new Date(ms).toISOString().slice(0, 23)}${String(ns % 1_000_000n).padStart(6, '0')}Z`;
}

const logFd = openSync(record.logFile, 'a');
let logBroken = false;
function writeRecord(stream, partial, bytes) {
  if (logBroken) return;
  try {
    writeSync(logFd, `${timestamp()} ${stream} ${partial ? 'P' : 'F'} ${bytes.toString('utf8')}\n`);
  } catch (err) {
    logBroken = true; // a full disk: keep the container running, say it once
    process.stderr.write(`shim: cannot write log ${record.logFile}: ${err.message}\n`);
  }
}

/** Splits a stream into CRI records: full lines as F, pieces of over-long lines as P. */
function recorder(stream) {
  let pending = Buffer.alloc(0);
  return {
    data(chunk) {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      for (;;) {
        const nl = pending.indexOf(10);
        if (nl >= 0 && nl <= MAX_RECORD_BYTES) {
          writeRecord(stream, false, pending.subarray(0, nl));
          pending = pending.subarray(nl + 1);
          continue;
        }
        if (pending.length <= MAX_RECORD_BYTES) break;
        // Cut at a character boundary: back off over UTF-8 continuation bytes.
        let cut = MAX_RECORD_BYTES;
        while (cut > 0 && (pending[cut] & 0xc0) === 0x80) cut--;
        writeRecord(stream, true, pending.subarray(0, cut));
        pending = pending.subarray(cut);
      }
    },
    end() {
      if (pending.length) writeRecord(stream, false, pending);
      pending = Buffer.alloc(0);
    },
  };
}

const child = spawn(argv[0], argv.slice(1), { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
let spawned = false;

child.once('error', (err) => {
  if (spawned) {
    process.stderr.write(`shim: ${err.stack ?? err.message}\n`);
    return;
  }
  const message = `failed to start container process: exec: "${argv[0]}": ${err.message}`;
  const now = Date.now();
  writeJsonAtomic('exit.json', { exitCode: 128, reason: 'StartError', message, finishedAt: now, startedAt: now });
  tell({ error: message });
  process.exit(0);
});

child.once('spawn', () => {
  spawned = true;
  const started = { pid: child.pid, pgid: child.pid, shimPid: process.pid, startedAt: Date.now(), pidStart: startTicks(child.pid), shimStart: startTicks(process.pid) };
  writeJsonAtomic('started.json', started);
  tell({ started });
});

const streams = [
  [child.stdout, recorder('stdout')],
  [child.stderr, recorder('stderr')],
].map(([s, r]) => {
  s.on('data', (chunk) => r.data(chunk));
  return new Promise((resolve) => s.once('close', () => (r.end(), resolve())));
});

child.once('exit', (code, signal) => {
  const finishedAt = Date.now();
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // The group is empty: the process was alone.
  }
  const exitCode = code ?? 128 + (constants.signals[signal] ?? 0);
  const exit = { exitCode, ...(signal ? { signal } : {}), reason: exitCode === 0 ? 'Completed' : 'Error', finishedAt };
  let timer;
  const drained = Promise.race([Promise.all(streams), new Promise((resolve) => (timer = setTimeout(resolve, DRAIN_MS)))]);
  void drained.then(() => {
    clearTimeout(timer);
    try {
      closeSync(logFd);
    } catch {}
    writeJsonAtomic('exit.json', exit);
    process.exit(0);
  });
});

/**
 * `lab bench host`: what this machine charges for the things every other benchmark is made of,
 * so that results from two machines can be compared and explained:
 *
 * - a message and its answer between two processes over loopback TCP, plain and TLS (every API
 *   request, watch event and response in a lab is one of these);
 * - a message and its answer between two threads (the API server's writer thread);
 * - fdatasync of a 4 KiB write, overwriting and appending (every durable commit is one).
 *
 * For each: latency p50/p99 and the CPU time both sides spent per round trip (user + system).
 * Everything is bounded by a count, runs on loopback and in a temporary directory it removes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, fdatasyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { connect as netConnect, type Socket } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { Worker } from 'node:worker_threads';
import { createCA, issueServingCert } from '../util/pki.js';
import { Latency, round, type LatencySummary } from './stats.js';

export interface HostBenchOptions {
  /** Round trips per measurement (after 10% as many unmeasured ones). */
  roundTrips: number;
  /** Synced writes per disk measurement. */
  syncs: number;
  /** Directory whose filesystem the disk measurements use (default: the system's temporary directory). */
  dir?: string;
}

export interface HostMeasure {
  measure: string;
  latency: LatencySummary;
  /** CPU both sides used per operation, microseconds (user + system). */
  cpuMicrosPerOp: number;
  /** Of which system (kernel) time, microseconds. */
  systemMicrosPerOp: number;
}

export interface HostBenchResult {
  benchmark: 'host';
  startedAt: string;
  machine: { cpus: number; node: string; platform: string };
  options: HostBenchOptions;
  measures: HostMeasure[];
}

const PAYLOAD = 512;

/** An echo server in another process, over plain TCP and TLS, that reports its CPU on request. */
const ECHO = `
const net = require('node:net'), tls = require('node:tls');
const echo = (s) => s.on('data', (d) => s.write(d));
let up = 0;
const ready = () => { if (++up === 2) process.send({ plain: plain.address().port, secure: secure.address().port }); };
const plain = net.createServer(echo).listen(0, '127.0.0.1', ready);
const secure = tls.createServer({ key: process.env.ECHO_KEY, cert: process.env.ECHO_CERT }, echo).listen(0, '127.0.0.1', ready);
process.on('message', (m) => { if (m === 'cpu') process.send({ cpu: process.cpuUsage() }); else process.exit(0); });
process.on('disconnect', () => process.exit(0)); // the benchmark is gone: so is its echo server
`;

const THREAD_ECHO = `const { parentPort } = require('node:worker_threads'); parentPort.on('message', (m) => parentPort.postMessage(m));`;

type Cpu = NodeJS.CpuUsage;

/** Sends msg (if any) to the echo process and resolves with its next message that has key. */
function ask<T>(child: ChildProcess, msg: string, key: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: Record<string, unknown>) => {
      if (!(key in m)) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(m as T);
    };
    const onExit = (code: number | null) => reject(new Error(`the echo process exited (${code}) before answering`));
    child.on('message', onMessage);
    child.once('exit', onExit);
    if (msg) child.send(msg);
  });
}

/** n round trips of PAYLOAD bytes over a connected socket, one at a time. */
async function pingPong(sock: Socket, n: number, lat?: Latency): Promise<void> {
  const buf = Buffer.alloc(PAYLOAD, 0x61);
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await new Promise<void>((resolve, reject) => {
      let got = 0;
      const onData = (d: Buffer) => {
        got += d.length;
        if (got < PAYLOAD) return;
        sock.off('data', onData);
        sock.off('error', reject);
        resolve();
      };
      sock.on('data', onData);
      sock.once('error', reject);
      sock.write(buf);
    });
    lat?.record(performance.now() - t);
  }
}

function measureOf(name: string, lat: Latency, ops: number, cpus: Cpu[]): HostMeasure {
  const user = cpus.reduce((a, c) => a + c.user, 0);
  const system = cpus.reduce((a, c) => a + c.system, 0);
  return { measure: name, latency: lat.summary(), cpuMicrosPerOp: round((user + system) / ops), systemMicrosPerOp: round(system / ops) };
}

const diff = (a: Cpu, b: Cpu): Cpu => ({ user: b.user - a.user, system: b.system - a.system });

async function socketRoundTrips(child: ChildProcess, name: string, sock: Socket, n: number): Promise<HostMeasure> {
  await pingPong(sock, Math.ceil(n / 10));
  const lat = new Latency();
  const childBefore = (await ask<{ cpu: Cpu }>(child, 'cpu', 'cpu')).cpu;
  const before = process.cpuUsage();
  await pingPong(sock, n, lat);
  const mine = process.cpuUsage(before);
  const childAfter = (await ask<{ cpu: Cpu }>(child, 'cpu', 'cpu')).cpu;
  sock.destroy();
  return measureOf(name, lat, n, [mine, diff(childBefore, childAfter)]);
}

async function processRoundTrips(n: number): Promise<HostMeasure[]> {
  const ca = createCA('kubelab-bench-host');
  const serving = issueServingCert(ca, { commonName: 'localhost', ips: ['127.0.0.1'], dnsNames: ['localhost'] });
  const child = spawn(process.execPath, ['-e', ECHO], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    env: { ...process.env, ECHO_KEY: serving.key, ECHO_CERT: serving.cert, NODE_OPTIONS: '' },
  });
  try {
    const ports = await ask<{ plain: number; secure: number }>(child, '', 'plain');
    const plainSock = netConnect(ports.plain, '127.0.0.1').setNoDelay(true);
    await new Promise<void>((r, j) => plainSock.once('connect', r).once('error', j));
    const out = [await socketRoundTrips(child, 'process to process, loopback TCP', plainSock, n)];
    const tlsSock = tlsConnect({ port: ports.secure, host: '127.0.0.1', ca: ca.cert, servername: 'localhost' });
    tlsSock.setNoDelay(true);
    await new Promise<void>((r, j) => tlsSock.once('secureConnect', r).once('error', j));
    out.push(await socketRoundTrips(child, 'process to process, loopback TLS', tlsSock, n));
    return out;
  } finally {
    child.kill();
  }
}

async function threadRoundTrips(n: number): Promise<HostMeasure> {
  const w = new Worker(THREAD_ECHO, { eval: true });
  try {
    const one = () => new Promise<void>((resolve) => {
      w.once('message', () => resolve());
      w.postMessage(1);
    });
    for (let i = 0; i < Math.ceil(n / 10); i++) await one();
    const lat = new Latency();
    // The process's CPU covers both threads.
    const before = process.cpuUsage();
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      await one();
      lat.record(performance.now() - t);
    }
    return measureOf('thread to thread, postMessage', lat, n, [process.cpuUsage(before)]);
  } finally {
    await w.terminate();
  }
}

function syncedWrites(dir: string, n: number, append: boolean): HostMeasure {
  const work = mkdtempSync(join(dir, 'kubelab-bench-host-'));
  try {
    const fd = openSync(join(work, 'f'), 'w+');
    const block = Buffer.alloc(4096, 1);
    try {
      if (!append) {
        for (let i = 0; i < 64; i++) writeSync(fd, block, 0, block.length, i * 4096);
        fdatasyncSync(fd);
      }
      const lat = new Latency();
      const before = process.cpuUsage();
      for (let i = 0; i < n; i++) {
        const t = performance.now();
        writeSync(fd, block, 0, block.length, (append ? i : i % 64) * 4096);
        fdatasyncSync(fd);
        lat.record(performance.now() - t);
      }
      return measureOf(append ? '4 KiB append + fdatasync' : '4 KiB overwrite + fdatasync', lat, n, [process.cpuUsage(before)]);
    } finally {
      closeSync(fd);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export async function runHostBench(o: HostBenchOptions): Promise<HostBenchResult> {
  const startedAt = new Date().toISOString();
  const measures = [
    ...(await processRoundTrips(o.roundTrips)),
    await threadRoundTrips(o.roundTrips),
    syncedWrites(o.dir ?? tmpdir(), o.syncs, false),
    syncedWrites(o.dir ?? tmpdir(), o.syncs, true),
  ];
  return {
    benchmark: 'host',
    startedAt,
    machine: { cpus: cpus().length, node: process.version, platform: `${process.platform}/${process.arch}` },
    options: o,
    measures,
  };
}

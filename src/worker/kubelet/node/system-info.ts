/**
 * Facts about the machine a kubelet runs on, for nodeInfo and default capacity: machine ID, boot
 * ID, kernel, OS image, CPUs and memory, read as cAdvisor reads them. Missing files leave a field
 * empty rather than fail: a container or a sandbox may not have them.
 */
import { readFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import type { NodeSystemInfo } from '../../../api/types.js';

function read(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return '';
  }
}

/** PRETTY_NAME of an os-release file's text. */
export function prettyName(osRelease: string): string {
  const m = /^PRETTY_NAME=(.*)$/m.exec(osRelease);
  return m ? m[1]!.replace(/^"(.*)"$/, '$1') : '';
}

/** nodeInfo fields of this machine. */
export function hostSystemInfo(): Partial<NodeSystemInfo> {
  const machineID = read('/etc/machine-id');
  return {
    machineID,
    systemUUID: read('/sys/class/dmi/id/product_uuid') || machineID,
    bootID: read('/proc/sys/kernel/random/boot_id'),
    kernelVersion: release(),
    osImage: prettyName(read('/etc/os-release')) || 'Linux',
  };
}

/** This machine's CPUs and memory as quantities ("4", "16331512Ki"), as the kubelet reports capacity. */
export function hostCapacity(): { cpu: string; memory: string } {
  return { cpu: String(cpus().length), memory: `${Math.floor(totalmem() / 1024)}Ki` };
}

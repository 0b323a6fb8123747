/**
 * Address slots of local labs, so several labs (and test suites) run on one machine at once.
 * Slot s gives a lab its own loopback addresses: nodes 127.0.s.1 (master), 127.0.s.2.. (workers),
 * Services 127.(96+s).0.0/16 and, with the process runtime, pods 127.(244+s).0.0/16; every lab
 * can then use the same well-known ports. A slot is claimed with a lock file in the machine's
 * temporary directory naming the lab's directory, and stays with the lab until its data is
 * purged; a lock whose lab directory is gone is stale and taken over. The lock directory is shared
 * by every user's labs, so it is made world-writable with the sticky bit, as /tmp is
 * (LAB_SLOTS_DIR moves it).
 */
import { accessSync, chmodSync, closeSync, constants, existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const SLOTS = 10;

export interface SlotAddresses {
  slot: number;
  /** The node address of node index i (0 = master). */
  node(i: number): string;
  serviceCIDR: string;
  /** Pod range of the process runtime (loopback). */
  processClusterCIDR: string;
}

export function slotAddresses(slot: number): SlotAddresses {
  if (!Number.isInteger(slot) || slot < 0 || slot >= SLOTS) throw new RangeError(`slot must be 0..${SLOTS - 1}, not ${slot}`);
  return {
    slot,
    node: (i) => `127.0.${slot}.${i + 1}`,
    serviceCIDR: `127.${96 + slot}.0.0/16`,
    processClusterCIDR: `127.${244 + slot}.0.0/16`,
  };
}

export function lockDir(): string {
  return join(process.env.LAB_SLOTS_DIR ?? tmpdir(), 'kubelab-slots');
}

/** The lock directory, made if missing; every user may add locks to it, and remove only their own. */
function sharedLockDir(): string {
  const dir = lockDir();
  mkdirSync(dir, { recursive: true });
  // mkdir's mode is cut by the umask; a directory of ours (just made, or made by an older
  // kubelab without the sticky bit) is opened up to every user.
  const st = statSync(dir);
  if (st.uid === process.getuid?.() && (st.mode & 0o7777) !== 0o1777) chmodSync(dir, 0o1777);
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    throw new Error(`cannot claim an address slot: ${dir} is not writable by this user (every user's labs keep their locks there); its owner can run "chmod 1777 ${dir}", or set LAB_SLOTS_DIR to another directory`);
  }
  return dir;
}

function owner(slot: number): string | undefined {
  try {
    return readFileSync(join(lockDir(), `${slot}.lock`), 'utf8').trim();
  } catch {
    return undefined;
  }
}

/**
 * The slot of the lab in labDir: the one it already holds, else the first free (or stale) one.
 * Throws when all are held by live labs.
 */
export function claimSlot(labDir: string): number {
  const dir = sharedLockDir();
  for (let s = 0; s < SLOTS; s++) if (owner(s) === labDir) return s;
  for (let s = 0; s < SLOTS; s++) {
    const path = join(dir, `${s}.lock`);
    const held = owner(s);
    if (held !== undefined && existsSync(held)) continue;
    if (held !== undefined) {
      try {
        rmSync(path, { force: true });
      } catch (err) {
        // Another user's lock (the sticky bit keeps it theirs): their lab may live where we cannot see.
        if ((err as NodeJS.ErrnoException).code === 'EPERM' || (err as NodeJS.ErrnoException).code === 'EACCES') continue;
        throw err;
      }
    }
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, labDir + '\n');
      closeSync(fd);
      return s;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue; // another lab took it just now
      throw err;
    }
  }
  throw new Error(`all ${SLOTS} local lab slots are in use (locks in ${lockDir()}); take a lab down with ./lab down --purge`);
}

/** Gives the slot back (when the lab's data is deleted). */
export function releaseSlot(labDir: string): void {
  for (let s = 0; s < SLOTS; s++) if (owner(s) === labDir) rmSync(join(lockDir(), `${s}.lock`), { force: true });
}

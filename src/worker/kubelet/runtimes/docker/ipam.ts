/**
 * Pod addresses of one node, from its pod CIDR, as CNI's host-local IPAM keeps them: the network
 * address, the first host (a gateway, in per-node bridges) and the broadcast are never given,
 * allocation is next-fit so a just-released address is not reused at once, and the state lives
 * in a file so that a restarted kubelet continues where it was.
 *
 * The file is a cache; Docker is the truth. reconcile() rebuilds the set in use from the live
 * sandboxes the runtime lists, so an address of a running pod is never handed out twice even when
 * the file was lost, and addresses of pods that died meanwhile come back.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ipv4ToNumber, numberToIpv4, parseCidr } from '../ip-pool.js';

/** What the state file holds. */
interface IpamFile {
  cidr: string;
  /** The next address to try, dotted. */
  next: string;
  /** Address -> the sandbox name it was given to. */
  allocated: Record<string, string>;
}

/** Whether cidr lies inside outer (both "a.b.c.d/len"). */
export function cidrContains(outer: string, cidr: string): boolean {
  const o = parseCidr(outer);
  const c = parseCidr(cidr);
  return c.prefix >= o.prefix && c.base >= o.base && c.base + c.size <= o.base + o.size;
}

/** Whether two CIDRs share an address. */
export function cidrsOverlap(a: string, b: string): boolean {
  const x = parseCidr(a);
  const y = parseCidr(b);
  return x.base < y.base + y.size && y.base < x.base + x.size;
}

export class PodIpAllocator {
  private cidr: string | undefined;
  private first = 0;
  private last = -1;
  private next = 0;
  private readonly allocated = new Map<number, string>();
  private loading: Promise<void> | undefined;
  private writing: Promise<void> = Promise.resolve();

  /** @param file where the state is kept (created with its directory on first write). */
  constructor(private readonly file: string) {}

  /** The range addresses come from, once set. */
  get range(): string | undefined {
    return this.cidr;
  }

  /** Addresses in use, dotted, with their owners. */
  inUse(): Map<string, string> {
    return new Map([...this.allocated].map(([n, owner]) => [numberToIpv4(n), owner]));
  }

  /**
   * Sets the range (the node's pod CIDR). Addresses in use stay recorded even when outside it:
   * their pods keep running until they end.
   */
  async setRange(cidr: string): Promise<void> {
    await this.load();
    if (cidr === this.cidr) return;
    const { base, size } = parseCidr(cidr);
    this.cidr = cidr;
    this.first = size >= 4 ? base + 2 : base;
    this.last = size >= 4 ? base + size - 2 : base + size - 1;
    if (!(this.next >= this.first && this.next <= this.last)) this.next = this.first;
    await this.save();
  }

  /**
   * Replaces the set in use by the addresses of live sandboxes (address -> sandbox name):
   * Docker's view after a restart or a crash.
   */
  async reconcile(live: Map<string, string>): Promise<void> {
    await this.load();
    this.allocated.clear();
    for (const [ip, owner] of live) this.allocated.set(ipv4ToNumber(ip), owner);
    await this.save();
  }

  /** Takes the next free address for owner (a sandbox name); throws without a range or when it is full. */
  async allocate(owner: string): Promise<string> {
    await this.load();
    if (this.cidr === undefined) throw new Error(`Cannot allocate a pod IP for "${owner}": the node has no pod CIDR yet`);
    const n = this.last - this.first + 1;
    for (let i = 0; i < n; i++) {
      const ip = this.next;
      this.next = ip >= this.last ? this.first : ip + 1;
      if (this.allocated.has(ip)) continue;
      this.allocated.set(ip, owner);
      await this.save();
      return numberToIpv4(ip);
    }
    throw new Error(`Cannot allocate a pod IP for "${owner}": no free address left in ${this.cidr} (${this.allocated.size} in use)`);
  }

  /** Marks ip as used by someone else (Docker said it is taken), so allocate skips it. */
  async markTaken(ip: string, owner: string): Promise<void> {
    await this.load();
    this.allocated.set(ipv4ToNumber(ip), owner);
    await this.save();
  }

  /** Gives ip back; unknown addresses are ignored. */
  async release(ip: string): Promise<void> {
    await this.load();
    if (this.allocated.delete(ipv4ToNumber(ip))) await this.save();
  }

  /**
   * Gives back every address of owner: a sandbox whose pause process died has no address in
   * Docker's answers any more, but its name still says what it held.
   */
  async releaseOwner(owner: string): Promise<void> {
    await this.load();
    let changed = false;
    for (const [n, o] of this.allocated) if (o === owner) changed = this.allocated.delete(n) || changed;
    if (changed) await this.save();
  }

  private load(): Promise<void> {
    // One read, shared by calls that come in while it runs.
    return (this.loading ??= this.readState());
  }

  private async readState(): Promise<void> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw new Error(`Cannot read pod IP state "${this.file}"`, { cause: err });
    }
    let state: IpamFile;
    try {
      state = JSON.parse(text) as IpamFile;
    } catch {
      // A torn or foreign file: reconcile() rebuilds what matters from Docker.
      return;
    }
    for (const [ip, owner] of Object.entries(state.allocated ?? {})) this.allocated.set(ipv4ToNumber(ip), owner);
    if (state.cidr) {
      const { base, size } = parseCidr(state.cidr);
      this.cidr = state.cidr;
      this.first = size >= 4 ? base + 2 : base;
      this.last = size >= 4 ? base + size - 2 : base + size - 1;
      const next = state.next ? ipv4ToNumber(state.next) : this.first;
      this.next = next >= this.first && next <= this.last ? next : this.first;
    }
  }

  private save(): Promise<void> {
    // Writes are chained so a later state never lands before an earlier one; each is atomic
    // (write then rename) so a crash leaves the old file or the new, never half of one.
    const state: IpamFile = {
      cidr: this.cidr ?? '',
      next: numberToIpv4(this.next),
      allocated: Object.fromEntries([...this.allocated].sort((a, b) => a[0] - b[0]).map(([n, o]) => [numberToIpv4(n), o])),
    };
    const write = async () => {
      await mkdir(dirname(this.file), { recursive: true });
      const tmp = `${this.file}.tmp`;
      await writeFile(tmp, JSON.stringify(state, null, 2) + '\n');
      await rename(tmp, this.file);
    };
    this.writing = this.writing.then(write, write);
    return this.writing;
  }
}

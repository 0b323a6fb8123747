/**
 * A binary heap with keyed access (client-go's tools/cache Heap, as kube-scheduler's queues
 * use it): push, pop the least, and update or delete any item by key in O(log n).
 */
export class KeyedHeap<K, T> {
  private readonly items: T[] = [];
  private readonly index = new Map<K, number>();

  /**
   * @param keyOf the key of an item (unique within the heap)
   * @param less whether a comes before b
   */
  constructor(
    private readonly keyOf: (item: T) => K,
    private readonly less: (a: T, b: T) => boolean,
  ) {}

  get size(): number {
    return this.items.length;
  }

  has(key: K): boolean {
    return this.index.has(key);
  }

  get(key: K): T | undefined {
    const i = this.index.get(key);
    return i === undefined ? undefined : this.items[i];
  }

  /** Adds item, or replaces the item with its key and restores the order. */
  addOrUpdate(item: T): void {
    const key = this.keyOf(item);
    const i = this.index.get(key);
    if (i !== undefined) {
      this.items[i] = item;
      this.fix(i);
      return;
    }
    this.items.push(item);
    this.index.set(key, this.items.length - 1);
    this.up(this.items.length - 1);
  }

  /** The least item, without removing it. */
  peek(): T | undefined {
    return this.items[0];
  }

  /** Removes and returns the least item. */
  pop(): T | undefined {
    if (this.items.length === 0) return undefined;
    const top = this.items[0]!;
    this.removeAt(0);
    return top;
  }

  /** Removes the item with key; returns it. */
  delete(key: K): T | undefined {
    const i = this.index.get(key);
    if (i === undefined) return undefined;
    const item = this.items[i]!;
    this.removeAt(i);
    return item;
  }

  /** Every item, in no particular order. */
  list(): T[] {
    return [...this.items];
  }

  private removeAt(i: number): void {
    const item = this.items[i]!;
    this.index.delete(this.keyOf(item));
    const last = this.items.pop()!;
    if (i < this.items.length) {
      this.items[i] = last;
      this.index.set(this.keyOf(last), i);
      this.fix(i);
    }
  }

  private fix(i: number): void {
    if (!this.down(i)) this.up(i);
  }

  private up(i: number): void {
    const items = this.items;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(items[i]!, items[parent]!)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  /** Moves item i down; whether it moved. */
  private down(i0: number): boolean {
    const items = this.items;
    const n = items.length;
    let i = i0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      let j = l;
      const r = l + 1;
      if (r < n && this.less(items[r]!, items[l]!)) j = r;
      if (!this.less(items[j]!, items[i]!)) break;
      this.swap(i, j);
      i = j;
    }
    return i > i0;
  }

  private swap(i: number, j: number): void {
    const items = this.items;
    const a = items[i]!;
    const b = items[j]!;
    items[i] = b;
    items[j] = a;
    this.index.set(this.keyOf(b), i);
    this.index.set(this.keyOf(a), j);
  }
}

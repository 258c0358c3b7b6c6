/**
 * A min-heap of (expiry, id) for the memory backend, so cleanupExpired visits only what
 * expired. Entries are never updated in place: a rewrite pushes a new entry and the old one
 * goes stale; callers check each popped entry against the live record.
 */
export interface HeapEntry {
  expiry: number;
  id: string;
}

export class ExpiryHeap {
  #items: HeapEntry[] = [];

  get size(): number {
    return this.#items.length;
  }

  push(entry: HeapEntry): void {
    const items = this.#items;
    items.push(entry);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (items[parent]!.expiry <= entry.expiry) break;
      items[i] = items[parent]!;
      i = parent;
    }
    items[i] = entry;
  }

  peek(): HeapEntry | undefined {
    return this.#items[0];
  }

  pop(): HeapEntry | undefined {
    const items = this.#items;
    const top = items[0];
    const last = items.pop();
    if (top === undefined || last === undefined || items.length === 0) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= items.length) break;
      const right = left + 1;
      const child = right < items.length && items[right]!.expiry < items[left]!.expiry ? right : left;
      if (items[child]!.expiry >= last.expiry) break;
      items[i] = items[child]!;
      i = child;
    }
    items[i] = last;
    return top;
  }

  /** Rebuilds from the entries still current, dropping the stale ones. */
  rebuild(isCurrent: (entry: HeapEntry) => boolean): void {
    const live = this.#items.filter(isCurrent);
    this.#items = [];
    for (const entry of live) this.push(entry);
  }
}

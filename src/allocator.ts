// A first-fit allocator over the module's linear memory, owned by the facade. Kernels never
// allocate; the facade reserves every buffer up front (per operator, or per call for one-off
// work), so a hot loop never touches this code. Blocks are 16-byte aligned for v128 access.

const ALIGN = 16;
const PAGE = 65536;

export class LinearAllocator {
  private readonly memory: WebAssembly.Memory;
  private readonly base: number;
  private top: number; // first byte never handed out
  private readonly limit: number;
  private sizes = new Map<number, number>();
  /** Free blocks as [start, size], sorted by start, never adjacent (coalesced). */
  private free: Array<[number, number]> = [];
  /** Inside atomically(): blocks are placed, memory grows only at the end. */
  private deferGrowth = false;
  /** Inside atomically(): how the owners of blocks taken so far go back to their state before. */
  private undo: Array<() => void> = [];

  constructor(memory: WebAssembly.Memory, heapBase: number, limitBytes: number) {
    this.memory = memory;
    this.base = Math.ceil(heapBase / ALIGN) * ALIGN;
    this.top = this.base;
    this.limit = limitBytes;
  }

  /** Bytes currently handed out. */
  get inUse(): number {
    let n = 0;
    for (const s of this.sizes.values()) n += s;
    return n;
  }

  alloc(bytes: number): number {
    return this.allocMany([bytes])[0]!;
  }

  /**
   * Allocate several blocks at once: all of them, or none. The placement is planned on a copy of
   * the free list first, so a request that would pass the cap is refused before memory grows at
   * all (allocating one block at a time could grow memory for the first blocks and only then
   * fail on a later one, leaving the instance larger after a refused call). Memory then grows
   * at most once.
   */
  allocMany(sizes: readonly number[]): number[] {
    for (const bytes of sizes) {
      // Sizes come from validated shapes; anything else would poison `top` (NaN) for good.
      if (!Number.isSafeInteger(bytes) || bytes < 0) {
        throw new RangeError(`convcs: cannot allocate ${bytes} bytes of WebAssembly memory (not a size)`);
      }
    }
    const free = this.free.map(([start, size]): [number, number] => [start, size]);
    let top = this.top;
    const starts: number[] = [];
    for (const bytes of sizes) {
      const size = roundUp(Math.max(bytes, 1));
      const start = place(free, top, size);
      top = Math.max(top, start + size);
      starts.push(start);
    }
    if (top > this.limit) {
      const needed = top - this.top;
      throw new RangeError(
        `convcs: this needs ${needed} more bytes of WebAssembly memory, beyond the cap of ${this.limit} bytes ` +
        `(maxMemoryBytes; ${this.inUse} bytes in use). Use smaller sizes, dispose operators, or load({ maxMemoryBytes }).`,
      );
    }
    if (!this.deferGrowth) this.growTo(top);
    this.free = free;
    this.top = top;
    sizes.forEach((bytes, i) => this.sizes.set(starts[i]!, roundUp(Math.max(bytes, 1))));
    return starts;
  }

  /**
   * Run `allocate`, which only allocates (it must not touch memory), as one all-or-nothing
   * allocation: if any of its blocks would pass the cap, or memory cannot grow, every block it
   * took is given back and memory has not grown. For work whose scratch comes from several
   * places (a projector, then buffers), so that a refused call leaves the instance as it was.
   */
  atomically<T>(allocate: () => T): T {
    if (this.deferGrowth) return allocate();
    const saved = { free: this.free.map(([a, b]): [number, number] => [a, b]), top: this.top, sizes: new Map(this.sizes) };
    this.deferGrowth = true;
    this.undo = [];
    try {
      const result = allocate();
      this.deferGrowth = false;
      this.growTo(this.top);
      return result;
    } catch (e) {
      for (const restore of this.undo.reverse()) restore();
      this.free = saved.free;
      this.top = saved.top;
      this.sizes = saved.sizes;
      throw e;
    } finally {
      this.deferGrowth = false;
      this.undo = [];
    }
  }

  /**
   * For an owner that keeps what it allocates (an operator growing its scratch): inside
   * atomically(), `restore` puts the owner back as it was if the whole allocation is refused;
   * outside, there is nothing to undo.
   */
  onRefusal(restore: () => void): void {
    if (this.deferGrowth) this.undo.push(restore);
  }

  private growTo(top: number): void {
    const have = this.memory.buffer.byteLength;
    if (top > have) {
      try {
        this.memory.grow(Math.ceil((top - have) / PAGE));
      } catch {
        throw new RangeError(`convcs: the engine refused to grow WebAssembly memory to ${top} bytes`);
      }
    }
  }

  release(ptr: number): void {
    const size = this.sizes.get(ptr);
    if (size === undefined) return;
    this.sizes.delete(ptr);
    // Insert sorted, then coalesce with neighbours.
    let i = 0;
    while (i < this.free.length && this.free[i]![0] < ptr) i++;
    this.free.splice(i, 0, [ptr, size]);
    if (i + 1 < this.free.length && ptr + size === this.free[i + 1]![0]) {
      this.free[i]![1] += this.free[i + 1]![1];
      this.free.splice(i + 1, 1);
    }
    if (i > 0 && this.free[i - 1]![0] + this.free[i - 1]![1] === ptr) {
      this.free[i - 1]![1] += this.free[i]![1];
      this.free.splice(i, 1);
    }
  }
}

/**
 * First fit of `size` bytes in `free` (edited in place), else at the top of the heap: from a
 * free block that ends at `top`, or from `top` itself. Returns the start.
 */
function place(free: Array<[number, number]>, top: number, size: number): number {
  for (let i = 0; i < free.length; i++) {
    const [start, s] = free[i]!;
    if (s >= size) {
      if (s === size) free.splice(i, 1);
      else free[i] = [start + size, s - size];
      return start;
    }
  }
  const last = free[free.length - 1];
  if (last && last[0] + last[1] === top) {
    free.pop();
    return last[0];
  }
  return top;
}

function roundUp(n: number): number {
  return Math.ceil(n / ALIGN) * ALIGN;
}

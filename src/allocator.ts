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
  private readonly sizes = new Map<number, number>();
  /** Free blocks as [start, size], sorted by start, never adjacent (coalesced). */
  private free: Array<[number, number]> = [];

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
    const size = roundUp(Math.max(bytes, 1));
    for (let i = 0; i < this.free.length; i++) {
      const [start, s] = this.free[i]!;
      if (s >= size) {
        if (s === size) this.free.splice(i, 1);
        else this.free[i] = [start + size, s - size];
        this.sizes.set(start, size);
        return start;
      }
    }
    // Extend: reuse a free block that touches the top, then grow the top.
    let start = this.top;
    const last = this.free[this.free.length - 1];
    if (last && last[0] + last[1] === this.top) {
      start = last[0];
      this.free.pop();
    }
    const end = start + size;
    if (end > this.limit) {
      if (start !== this.top) this.free.push([start, this.top - start]);
      throw new RangeError(
        `convcs: this needs ${size} more bytes of WebAssembly memory, beyond the cap of ${this.limit} bytes ` +
        `(maxMemoryBytes; ${this.inUse} bytes in use). Use smaller sizes, dispose operators, or load({ maxMemoryBytes }).`,
      );
    }
    const have = this.memory.buffer.byteLength;
    if (end > have) {
      try {
        this.memory.grow(Math.ceil((end - have) / PAGE));
      } catch {
        if (start !== this.top) this.free.push([start, this.top - start]);
        throw new RangeError(`convcs: the engine refused to grow WebAssembly memory to ${end} bytes`);
      }
    }
    this.top = Math.max(this.top, end);
    this.sizes.set(start, size);
    return start;
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

function roundUp(n: number): number {
  return Math.ceil(n / ALIGN) * ALIGN;
}

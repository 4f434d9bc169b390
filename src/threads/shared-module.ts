// The shared-memory build of a module, made from its bytes: convcs's modules import their memory
// (env.memory, with a maximum), and the only difference a shared memory makes to a module is the
// shared flag of that import's limits (0x01 -> 0x03). The kernels use no atomics; the threads
// coordinate in JavaScript. So one set of embedded modules serves both, and the threaded
// instance runs exactly the code of the single-threaded one.

function readLeb(bytes: Uint8Array, at: number): [value: number, next: number] {
  let value = 0, shift = 0, i = at;
  for (;;) {
    const b = bytes[i++]!;
    value += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if ((b & 0x80) === 0) return [value, i];
    if (shift > 35) throw new Error('convcs: malformed LEB128 in a module');
  }
}

function skipName(bytes: Uint8Array, at: number): number {
  const [n, i] = readLeb(bytes, at);
  return i + n;
}

/** Skip one limits entry (flags, min, max if the flags say so). */
function skipLimits(bytes: Uint8Array, at: number): number {
  const flags = bytes[at]!;
  let i = readLeb(bytes, at + 1)[1];
  if (flags & 1) i = readLeb(bytes, i)[1];
  return i;
}

/**
 * The module's bytes with its memory import declared shared. Throws if the module imports no
 * memory with a maximum (a module convcs did not build).
 */
export function withSharedMemory(module: Uint8Array): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(module);
  let at = 8; // magic and version
  while (at < bytes.length) {
    const id = bytes[at]!;
    const [size, body] = readLeb(bytes, at + 1);
    if (id === 2) {
      let [count, i] = readLeb(bytes, body);
      for (; count > 0; count--) {
        i = skipName(bytes, i); // module
        i = skipName(bytes, i); // field
        const kind = bytes[i++]!;
        if (kind === 0) i = readLeb(bytes, i)[1]; // function: type index
        else if (kind === 1) i = skipLimits(bytes, i + 1); // table: element type, limits
        else if (kind === 3) i += 2; // global: value type, mutability
        else if (kind === 2) {
          if (bytes[i] !== 0x01) throw new Error('convcs: the module\'s memory import has no maximum or is already shared');
          bytes[i] = 0x03;
          return bytes;
        } else throw new Error(`convcs: unknown import kind ${kind} in a module`);
      }
    }
    at = body + size;
  }
  throw new Error('convcs: the module imports no memory');
}

// A fast 64-bit digest of bytes, for fingerprints that tell studies apart (the weights of the
// operator a rip shard ran on). It is an identity check against mix-ups, not a cryptographic one:
// a study's parts come from the user's own machines.

/** Two 32-bit FNV-1a lanes over 32-bit words (different bases and primes), then the length: 16 hex digits. */
export function hashHex(bytes: Uint8Array): string {
  let a = 0x811c9dc5;
  let b = 0x050c5d1f;
  const words = bytes.length >>> 2;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < words; i++) {
    const w = view.getUint32(i * 4, true);
    a = Math.imul(a ^ w, 0x01000193);
    b = Math.imul(b ^ w, 0x2c1b3c6d) ^ (b >>> 15);
  }
  for (let i = words * 4; i < bytes.length; i++) {
    a = Math.imul(a ^ bytes[i]!, 0x01000193);
    b = Math.imul(b ^ bytes[i]!, 0x2c1b3c6d) ^ (b >>> 15);
  }
  a = Math.imul(a ^ bytes.length, 0x01000193);
  b = Math.imul(b ^ bytes.length, 0x2c1b3c6d);
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
}

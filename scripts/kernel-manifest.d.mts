// Types of kernel-manifest.mjs, for the tests that import it.
export interface ManifestKernel {
  name: string;
  isa: 'scalar' | 'simd';
  folder: string;
  file: string;
  reference?: string;
  what: string;
  signature: string;
}
export function readManifest(dir: string): { kernels: ManifestKernel[]; errors: string[] };

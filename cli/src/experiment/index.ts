// `convcs-cli/experiment`: the part of the CLI that the web demo runs too, with no Node or DOM
// APIs and no dependency but `convcs`: pixels to planes and back, the image header check, the
// photograph-through-a-layer experiment, and the RIP histogram's binning.

export { MAX_IMAGE_PIXELS, readImageHeader, sniffImage } from './image-header.js';
export type { ImageFormat, ImageHeader } from './image-header.js';
export { isGrey, toPlanes, toRgba, relativeError, psnr } from './raster.js';
export type { Rgba, Planes, ColorMode } from './raster.js';
export { imageLayer, imagePadding, imageSparsity, layerSize, reconstructImage } from './image-layer.js';
export type { ImageLayerParams, ImageRun, ImageRunHooks, Reconstruction } from './image-layer.js';
export { ripHistogram } from './histogram.js';

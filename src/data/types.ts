// The in-memory dataset shared by eval, training and benches.

export type DatasetName = 'mnist' | 'fashion-mnist';
export type Split = 'train' | 'test';

export interface Dataset {
  /** N*784 pixels in [0,1], row-major 28x28 per image. */
  images: Float32Array;
  labels: Uint8Array;
  n: number;
  name?: DatasetName;
  split?: Split;
}

export const IMAGE_SIZE = 28;
export const PIXELS = IMAGE_SIZE * IMAGE_SIZE;
export const CLASSES = 10;

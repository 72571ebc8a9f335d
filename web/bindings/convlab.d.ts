// convlab.d.ts: types of the public JavaScript API (/work/shared/API.md) and of the agreed
// additions (methods, autoMethod1d/2d, activation, net.layers, net.layerOutput, net.vjp,
// net.resetOptimizer, net.optimizerState, net.setOptimizerState, net.train / eval / training,
// net.buffers / setBuffers, exportONNX, exportPyTorch), plus a few conveniences marked
// "addition". Every function throws a TypeError or RangeError whose message starts with the
// argument's name on invalid input.

/** How to find the .wasm file. Only the first load() call's options count. */
export interface LoadOptions {
  /**
   * URL or path of convlab_wasm.wasm. Default: ../../build/wasm/convlab_wasm.wasm relative
   * to convlab.js (read with fs in Node, fetched in browsers and workers). A bundle that
   * moves convlab.js must pass this (e.g. new URL('./convlab_wasm.wasm', import.meta.url)).
   * Relative strings resolve against location.href (browser) or the working directory (Node).
   */
  wasmUrl?: string | URL;
  /** The module's bytes, when the caller has them already (the single-threaded module). */
  wasmBinary?: ArrayBuffer | Uint8Array;
  /**
   * (addition) Threads for the core's kernels, 1 to 8. More than 1 loads the threaded module
   * (convlab_wasm_mt.{js,wasm,worker.js} beside wasmUrl) and needs SharedArrayBuffer: a
   * cross-origin isolated page, or Node; refused otherwise, and with wasmBinary. Default: on an
   * isolated page min(navigator.hardwareConcurrency, 8), else 1 (always 1 in Node). Results
   * are the same bits for every thread count.
   */
  threads?: number;
}

/** Resolves once the WebAssembly module is ready; later calls return the same instance. */
export function load(options?: LoadOptions): Promise<Convlab>;
export default load;

import type {
  ActivationName, AvgPool2dBackwardOptions, AvgPool2dOptions, Conv2dBackwardOptions, Conv2dOptions,
  ConvTranspose2dBackwardOptions, ConvTranspose2dOptions,
  ConvolveOptions, LayerSpec, Loss, MaxPool2dBackwardOptions, MaxPool2dOptions, NetworkBackwardOptions,
  NetworkEvaluateOptions, NetworkTrainStepOptions, Registry, SequentialOptions, AutoMethod2dOptions,
} from './registry';
// The unions and options types are generated from the core's registry (registry.d.ts).
export * from './registry';
export type Conv1dOptions = ConvolveOptions;
export type PoolOptions = MaxPool2dOptions;
/** Default loss 'softmax-cross-entropy' ('mse' targets the labels' one-hot encoding), optimizer
 * 'sgd'. Every optimiser is torch.optim's with torch's defaults (lr 0.01 for 'sgd', which torch
 * leaves without one; 1e-3 for 'adam' and 'adamw', 1e-2 for 'rmsprop'; AdamW's weightDecay
 * 1e-2). sgd: lr, momentum, dampening, nesterov, weightDecay; adam / adamw: lr, betas, eps,
 * weightDecay, amsgrad; rmsprop: lr, alpha, eps, weightDecay, momentum, centered. An option
 * the chosen optimiser does not take is refused by name. */
export type TrainOptions = NetworkTrainStepOptions;

export interface Tensor {
  data: Float32Array;
  /** [N, C, H, W] (or [N, K, Ho, Wo]). */
  shape: number[];
}

export interface Conv2dGradients {
  /** (N, C, H, W) */
  gradInput: Float32Array;
  /** (K, C / groups, R, S); for convTranspose2dBackward (C, out / groups, R, S) */
  gradWeight: Float32Array;
  /** (K): gradOut summed over N, Ho, Wo. */
  gradBias: Float32Array;
}

export interface Complex {
  re: Float32Array;
  im: Float32Array;
}

export interface Parameter {
  /** "<layer index>.weight" | "<layer index>.bias" (PyTorch nn.Sequential naming). */
  name: string;
  /** conv (K, C, R, S), dense (out, in), bias (out). */
  shape: number[];
  /** A fresh copy. */
  data: Float32Array;
}

export interface ParameterInput {
  name: string;
  shape: number[];
  /** Float32Array, or (addition) a plain array of numbers, e.g. from JSON. */
  data: Float32Array | number[];
}

/** An Int32Array of class indices; (addition) any array-like of integers is copied into one. */
export type Labels = Int32Array | ArrayLike<number>;

export interface StepResult {
  /** Mean over the batch, before the update. */
  loss: number;
  /** Fraction of the batch whose largest output is the label (first maximum wins). */
  accuracy: number;
}

export interface EvaluateResult extends StepResult {
  /** Each example's predicted class (first maximum wins). */
  predictions: Int32Array;
}

/** Views into WebAssembly memory owned by the network (see Network.staging). */
export interface Staging {
  /** (batch, inputShape...) */
  x: Float32Array;
  /** (batch) */
  labels: Int32Array;
}

export interface LayerInfo {
  index: number;
  type: LayerSpec['type'];
  /** One example's shape after this layer. */
  outputShape: number[];
}

export interface Network {
  /** One example's output shape, e.g. [10]. */
  readonly outputShape: number[];
  /** (addition) One example's input shape as given. */
  readonly inputShape: number[];
  /** Every layer with the shape of its output. */
  readonly layers: LayerInfo[];
  /** (addition) True after dispose(). */
  readonly disposed: boolean;
  /** In layer order, weight before bias; fresh copies. */
  parameters(): Parameter[];
  /**
   * Every parameter exactly once, matched by name, with the same shape. Checked completely
   * before anything is written. Momentum buffers are kept (see resetOptimizer).
   */
  setParameters(list: ParameterInput[]): void;
  /** x is (batch, inputShape...); batch may be left out when x's length implies it. */
  forward(x: Float32Array, batch?: number): Float32Array;
  /** After trainStep, backward or vjp: same form as parameters(). Throws before the first. */
  gradients(): Parameter[];
  /** Loss and gradients without updating. */
  backward(x: Float32Array, labels: Labels, batch?: number, options?: NetworkBackwardOptions): StepResult;
  /** (addition) Forward and loss without gradients, computed by the core. */
  evaluate(x: Float32Array, labels: Labels, batch?: number, options?: NetworkEvaluateOptions): EvaluateResult;
  /**
   * (addition) The network's input and label buffers for `batch` examples, as views into
   * WebAssembly memory. Passed back to trainStep / forward / backward / evaluate they are
   * neither copied nor allocated. A view is valid until the next call that may grow the
   * memory (a larger batch, a new network, a one-off function): call staging again then.
   */
  staging(batch: number): Staging;
  /** (addition) One parameter by name, copied; the others are untouched. */
  parameter(name: string): Parameter;
  /** backward, then one step of options.optimizer (see TrainOptions). */
  trainStep(x: Float32Array, labels: Labels, batch?: number, options?: NetworkTrainStepOptions): StepResult;
  /**
   * Vector-Jacobian product of the whole network: gradInput = gradOutput^T dy/dx, shape
   * (batch, inputShape...); also fills gradients() with gradOutput^T dy/dp.
   */
  vjp(x: Float32Array, batch: number | undefined, gradOutput: Float32Array): { gradInput: Float32Array };
  /** Layer index's activations from the last forward / backward / trainStep / vjp, (batch, outputShape...). */
  layerOutput(index: number): Float32Array;
  /** Forgets the optimiser state: the next step starts afresh (SGD: v = g; Adam: step 1). */
  resetOptimizer(): void;
  /**
   * (addition) The optimiser state (torch's optimizer.state) as fresh tensor copies; [] before
   * a step creates it and after resetOptimizer. SGD: its momentum buffers, named and shaped as
   * parameters(), in their order. Adam / AdamW / RMSprop: first `{ name: '<optimizer>.step',
   * shape: [1] }` (the step count, which also says whose state it is), then per parameter
   * `'<parameter>.<slot>'` with torch's slots: exp_avg, exp_avg_sq (max_exp_avg_sq with
   * amsgrad); square_avg (momentum_buffer with momentum, grad_avg when centered). Saved with
   * parameters(), they let a run resume exactly.
   */
  optimizerState(): Parameter[];
  /**
   * (addition) Sets the optimiser state from a list of optimizerState()'s form, in any order,
   * checked completely before anything is written (errors name `list`, `list[i].name`,
   * `list[i].shape`, `list[i].data`). The next step continues from it. [] forgets it, as
   * resetOptimizer. A step with another optimiser than the state's is refused ('optimizer').
   */
  setOptimizerState(list: ParameterInput[]): void;
  /**
   * torch's module.train(): batch norm normalises with the batch's statistics and updates its
   * running ones on every forward-type call (evaluate included); dropout is on. The default.
   */
  train(): this;
  /** torch's module.eval(): batch norm uses its running statistics, dropout is the identity. */
  eval(): this;
  /** True in training mode (after construction and train()), false after eval(). */
  readonly training: boolean;
  /**
   * Non-trainable state in layer order, fresh copies: batch norm's "i.running_mean",
   * "i.running_var" ([C]) and "i.num_batches_tracked" ([], one element). [] without batch norm.
   */
  buffers(): Parameter[];
  /**
   * Every buffer exactly once, matched by name, with the same shape; checked completely before
   * anything is written (errors name `list`, `list[i].name`, `list[i].shape`, `list[i].data`).
   */
  setBuffers(list: ParameterInput[]): void;
  /** Frees the network's WebAssembly memory; later calls throw. Calling it twice is fine. */
  dispose(): void;
}

export interface MemoryStats {
  /** Size of the WebAssembly memory (grows, never shrinks). */
  heapBytes: number;
  /** Bytes malloc currently hands out. */
  mallocBytes: number;
  /** (addition) Blocks the JavaScript wrapper has allocated in the heap so far. */
  jsAllocations: number;
}

export interface Convlab {
  /** package.json's version, e.g. "0.1.0". */
  readonly version: string;
  /** True when the SIMD128 build is running. */
  readonly simd: boolean;
  /** (addition) The threads the kernels use now (1 with the single-threaded module). */
  readonly threads: number;
  /** (addition) The most threads setThreads accepts: load()'s threads (1 single-threaded). */
  readonly maxThreads: number;
  /** (addition) Changes the thread count, 1 to maxThreads; results do not depend on it. */
  setThreads(n: number): void;
  /** The registries of convolution methods ('auto' is not listed: it picks one of these). */
  readonly methods: { readonly conv1d: readonly string[]; readonly conv2d: readonly string[] };
  /** (addition) Every name the core accepts, with each layer's fields and each function's options. */
  readonly registry: Registry;

  /** eq. (2.6): sum_t f[t] h[u - t], as numpy.convolve(f, h, mode). */
  convolve(f: Float32Array, h: Float32Array, options?: Conv1dOptions): Float32Array;
  /** eq. (2.10): sum_t h[t] f[u + t], as numpy.correlate(f, h, mode). */
  correlate(f: Float32Array, h: Float32Array, options?: ConvolveOptions): Float32Array;
  /** The (n + m - 1) x n matrix H_n^h of eq. (2.12), row-major. */
  toeplitz(h: Float32Array, n: number): { rows: number; cols: number; data: Float32Array };
  /** Forward DFT, any length >= 1. im defaults to zeros. */
  fft(re: Float32Array, im?: Float32Array): Complex;
  /** Inverse DFT scaled by 1/n. im defaults to zeros. */
  ifft(re: Float32Array, im?: Float32Array): Complex;
  /** The method 'auto' picks for signal length n and kernel length m. */
  autoMethod1d(n: number, m: number): string;

  /** PyTorch conv2d (a cross-correlation), NCHW / KCRS. */
  conv2d(x: Float32Array, xShape: number[], w: Float32Array, wShape: number[], options?: Conv2dOptions): Tensor;
  conv2dBackward(x: Float32Array, xShape: number[], w: Float32Array, wShape: number[], gradOut: Float32Array, options?: Conv2dBackwardOptions): Conv2dGradients;
  /** PyTorch conv_transpose2d: x (N, C, H, W), w (C, out / groups, R, S) -> (N, out, Ho, Wo). */
  convTranspose2d(x: Float32Array, xShape: number[], w: Float32Array, wShape: number[], options?: ConvTranspose2dOptions): Tensor;
  /** Its gradients: gradInput (N, C, H, W), gradWeight (C, out / groups, R, S), gradBias (out). */
  convTranspose2dBackward(x: Float32Array, xShape: number[], w: Float32Array, wShape: number[], gradOut: Float32Array, options?: ConvTranspose2dBackwardOptions): Conv2dGradients;
  /** The method 'auto' picks for this convolution. */
  autoMethod2d(xShape: number[], wShape: number[], options?: AutoMethod2dOptions): string;
  /**
   * PyTorch's MaxPool2d: padding (at most half the kernel) never wins a max; dilation; ceilMode
   * (the last window starts inside the input or the left padding).
   */
  maxPool2d(x: Float32Array, xShape: number[], options: PoolOptions): Tensor;
  /** Returns gradInput. Ties send the gradient to the first maximum in row-major order. */
  maxPool2dBackward(x: Float32Array, xShape: number[], gradOut: Float32Array, options: MaxPool2dBackwardOptions): Float32Array;
  /** PyTorch's AvgPool2d: padding, ceilMode; countIncludePad (default true) divides by the padded window. */
  avgPool2d(x: Float32Array, xShape: number[], options: AvgPool2dOptions): Tensor;
  /** Returns gradInput. */
  avgPool2dBackward(x: Float32Array, xShape: number[], gradOut: Float32Array, options: AvgPool2dBackwardOptions): Float32Array;
  /** Element-wise relu | sigmoid | tanh. */
  activation(name: ActivationName, x: Float32Array): Float32Array;

  sequential(layers: LayerSpec[], options: SequentialOptions): Network;

  /** (addition) Heap figures, for leak tests. */
  memoryStats(): MemoryStats;

  /**
   * (addition) The network in eval mode as an ONNX model (opset 13; input "input" of shape
   * (batch, ...inputShape), output "output", parameters as initializers under their names).
   * Rejects with an Error naming the layer for a network ONNX cannot express exactly.
   */
  exportONNX(net: Network): Promise<Uint8Array>;
  /**
   * (addition) The network in eval mode as a self-contained Python script: an nn.Sequential of
   * torch modules with convlab's parameter names, the trained values embedded and loaded.
   */
  exportPyTorch(net: Network): Promise<string>;
}

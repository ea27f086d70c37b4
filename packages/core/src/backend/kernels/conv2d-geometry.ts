import { backend_util, type TensorInfo } from '@tensorflow/tfjs-core';

/** The attributes Conv2D's two gradient kernels share. */
export interface ConvBackpropAttrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/**
 * The geometry of a channels-last Conv2D (dilation 1) as the gradient kernels need it:
 * sizes, filter extent, strides and the top/left padding. NCHW is refused.
 */
export function conv2dGeometry(kernelName: string, inputShape: TensorInfo['shape'], filterShape: TensorInfo['shape'], attrs: ConvBackpropAttrs) {
  if (attrs.dataFormat === 'NCHW') throw new Error(`${kernelName}: NCHW is not supported on this backend`);
  const info = backend_util.computeConv2DInfo(
    inputShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
  return {
    ...info,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
    /** Patch length fH·fW·Cin. */
    K: info.filterHeight * info.filterWidth * info.inChannels,
    /** Output positions N·outH·outW. */
    M: info.batchSize * info.outHeight * info.outWidth,
  };
}

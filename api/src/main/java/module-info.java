/**
 * Sonnet for Java's API: tensors, operations, autodiff, the backend SPI, modules and the module
 * library, checkpoints and the training stack. It has no backend of its own: put a runtime module
 * ({@code dev.sonnet.runtime.cpu}, {@code dev.sonnet.runtime.opencl}) on the module path.
 *
 * <p>Every package is exported: each is part of the public API. The types generated code uses
 * ({@code ModuleMeta}, {@code Repr}, {@code SettingsWriter}, {@code SettingsReader}, {@code
 * Builds}, {@code SettingValue} in {@code dev.sonnet.module}) must be exported too, since the
 * processor writes that code into the user's own module. The {@code provides} list names the metas
 * the processor generates for this module's classes; {@code ModuleInfoTest} keeps it equal to the
 * generated service file.
 */
module dev.sonnet.api {
  // Generated code carries @javax.annotation.processing.Generated (source retention): a module
  // whose classes the processor runs on needs this line too.
  requires static java.compiler;

  exports dev.sonnet;
  exports dev.sonnet.autodiff;
  exports dev.sonnet.backend;
  exports dev.sonnet.checkpoint;
  exports dev.sonnet.distribute;
  exports dev.sonnet.initializers;
  exports dev.sonnet.losses;
  exports dev.sonnet.metrics;
  exports dev.sonnet.module;
  exports dev.sonnet.nets;
  exports dev.sonnet.nn;
  exports dev.sonnet.ops;
  exports dev.sonnet.optimizers;
  exports dev.sonnet.recurrent;
  exports dev.sonnet.regularizers;
  exports dev.sonnet.tensor;
  exports dev.sonnet.utils;

  uses dev.sonnet.backend.BackendProvider;
  uses dev.sonnet.module.ModuleMeta;

  provides dev.sonnet.module.ModuleMeta with
      dev.sonnet.metrics.ExponentialMovingAverage_Meta,
      dev.sonnet.metrics.Mean_Meta,
      dev.sonnet.metrics.Metric_Meta,
      dev.sonnet.metrics.Sum_Meta,
      dev.sonnet.nets.BlockGroup_Meta,
      dev.sonnet.nets.BottleneckBlock_Meta,
      dev.sonnet.nets.Cifar10ConvNet_Meta,
      dev.sonnet.nets.MLP_Meta,
      dev.sonnet.nets.ResNet50_Meta,
      dev.sonnet.nets.ResNet_Meta,
      dev.sonnet.nets.VectorQuantizerEMA_Meta,
      dev.sonnet.nets.VectorQuantizer_Meta,
      dev.sonnet.nn.BatchApply_Meta,
      dev.sonnet.nn.BatchNorm_Meta,
      dev.sonnet.nn.BatchReshape_Meta,
      dev.sonnet.nn.Bias_Meta,
      dev.sonnet.nn.CausalConv1D_Meta,
      dev.sonnet.nn.ConcatLinear_Meta,
      dev.sonnet.nn.Conv1DTranspose_Meta,
      dev.sonnet.nn.Conv1D_Meta,
      dev.sonnet.nn.Conv2DTranspose_Meta,
      dev.sonnet.nn.Conv2D_Meta,
      dev.sonnet.nn.Conv3DTranspose_Meta,
      dev.sonnet.nn.Conv3D_Meta,
      dev.sonnet.nn.CrossReplicaBatchNorm_Meta,
      dev.sonnet.nn.ConvNDTranspose_Meta,
      dev.sonnet.nn.ConvND_Meta,
      dev.sonnet.nn.DepthwiseConv2D_Meta,
      dev.sonnet.nn.Dropout_Meta,
      dev.sonnet.nn.Embed_Meta,
      dev.sonnet.nn.Flatten_Meta,
      dev.sonnet.nn.GroupNorm_Meta,
      dev.sonnet.nn.InstanceNorm_Meta,
      dev.sonnet.nn.LayerNorm_Meta,
      dev.sonnet.nn.Linear_Meta,
      dev.sonnet.nn.MergeDims_Meta,
      dev.sonnet.nn.MovingAverage_Meta,
      dev.sonnet.nn.Reshape_Meta,
      dev.sonnet.nn.SelectInput_Meta,
      dev.sonnet.nn.SeparableConv1D_Meta,
      dev.sonnet.nn.SeparableConv2D_Meta,
      dev.sonnet.nn.SeparableConvND_Meta,
      dev.sonnet.nn.SliceByDim_Meta,
      dev.sonnet.nn.TileByDim_Meta,
      dev.sonnet.optimizers.Adam_Meta,
      dev.sonnet.optimizers.Momentum_Meta,
      dev.sonnet.optimizers.Optimizer_Meta,
      dev.sonnet.optimizers.RMSProp_Meta,
      dev.sonnet.optimizers.SGD_Meta,
      dev.sonnet.recurrent.BidirectionalRNN_Meta,
      dev.sonnet.recurrent.Conv1DLSTM_Meta,
      dev.sonnet.recurrent.Conv2DLSTM_Meta,
      dev.sonnet.recurrent.Conv3DLSTM_Meta,
      dev.sonnet.recurrent.ConvNDLSTM_Meta,
      dev.sonnet.recurrent.DeepRNN_Meta,
      dev.sonnet.recurrent.GRU_Meta,
      dev.sonnet.recurrent.LSTM_Meta,
      dev.sonnet.recurrent.RNNCore_Meta,
      dev.sonnet.recurrent.RecurrentDropoutLSTM_Meta,
      dev.sonnet.recurrent.ResidualCore_Meta,
      dev.sonnet.recurrent.TrainableState_Meta,
      dev.sonnet.recurrent.UnrolledLSTM_Meta,
      dev.sonnet.recurrent.VanillaRNN_Meta;
}

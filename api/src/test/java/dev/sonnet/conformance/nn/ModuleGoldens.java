package dev.sonnet.conformance.nn;

import dev.sonnet.module.Layer;
import dev.sonnet.module.Layers;
import dev.sonnet.module.Module;
import dev.sonnet.nets.BatchNormConfig;
import dev.sonnet.nets.Cifar10ConvNet;
import dev.sonnet.nets.MLP;
import dev.sonnet.nets.ResNet;
import dev.sonnet.nets.ResNet50;
import dev.sonnet.nets.VectorQuantizer;
import dev.sonnet.nets.VectorQuantizerEMA;
import dev.sonnet.nn.BatchApply;
import dev.sonnet.nn.BatchNorm;
import dev.sonnet.nn.BatchReshape;
import dev.sonnet.nn.Bias;
import dev.sonnet.nn.CausalConv1D;
import dev.sonnet.nn.ConcatLinear;
import dev.sonnet.nn.Conv1D;
import dev.sonnet.nn.Conv1DTranspose;
import dev.sonnet.nn.Conv2D;
import dev.sonnet.nn.Conv2DTranspose;
import dev.sonnet.nn.Conv3D;
import dev.sonnet.nn.Conv3DTranspose;
import dev.sonnet.nn.CrossReplicaBatchNorm;
import dev.sonnet.nn.DepthwiseConv2D;
import dev.sonnet.nn.Dropout;
import dev.sonnet.nn.Embed;
import dev.sonnet.nn.Flatten;
import dev.sonnet.nn.GroupNorm;
import dev.sonnet.nn.InstanceNorm;
import dev.sonnet.nn.LayerNorm;
import dev.sonnet.nn.Linear;
import dev.sonnet.nn.MergeDims;
import dev.sonnet.nn.MovingAverage;
import dev.sonnet.nn.Pad;
import dev.sonnet.nn.Reshape;
import dev.sonnet.nn.SelectInput;
import dev.sonnet.nn.SeparableConv1D;
import dev.sonnet.nn.SeparableConv2D;
import dev.sonnet.nn.SliceByDim;
import dev.sonnet.nn.TileByDim;
import dev.sonnet.ops.DataFormat;
import dev.sonnet.ops.ShapeOps;
import dev.sonnet.recurrent.BidirectionalRNN;
import dev.sonnet.recurrent.Conv1DLSTM;
import dev.sonnet.recurrent.Conv2DLSTM;
import dev.sonnet.recurrent.Conv3DLSTM;
import dev.sonnet.recurrent.DeepRNN;
import dev.sonnet.recurrent.GRU;
import dev.sonnet.recurrent.LSTM;
import dev.sonnet.recurrent.RNNCore;
import dev.sonnet.recurrent.RecurrentDropoutLSTM;
import dev.sonnet.recurrent.ResidualCore;
import dev.sonnet.recurrent.State;
import dev.sonnet.recurrent.TrainableState;
import dev.sonnet.recurrent.Unroll;
import dev.sonnet.recurrent.UnrolledLSTM;
import dev.sonnet.recurrent.VanillaRNN;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;
import java.io.IOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * The golden registry (Sonnet's {@code goldens.py}): one entry per module configuration, with the
 * module's class, how to create it, its input spec and how to run it. Inputs are {@code 1, 2, 3,
 * ...} scaled to stay small ({@link #input}), so every run is deterministic.
 */
public final class ModuleGoldens {
  private ModuleGoldens() {}

  /** One golden: {@code goldens/modules/<name>.txt}. */
  public record Golden(
      String name,
      Class<? extends Module> type,
      Supplier<Module> create,
      DType dtype,
      int[] shape,
      BiFunction<Module, Tensor, Tensor> forward) {}

  /** {@code 1, 2, 3, ...} times {@code 0.01} (ids {@code i mod 5} for integer dtypes). */
  public static Tensor input(DType dtype, int[] shape) {
    int n = Shape.of(shape).intSize();
    if (dtype.isInteger()) {
      int[] ids = new int[n];
      for (int i = 0; i < n; i++) {
        ids[i] = i % 5;
      }
      return Tensor.of(ids, shape);
    }
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = (i + 1) * 0.01;
    }
    return Tensor.of(v, shape).cast(dtype);
  }

  private static int[] s(int... d) {
    return d;
  }

  private static Golden g(
      String name,
      Class<? extends Module> type,
      Supplier<Module> create,
      int[] shape,
      BiFunction<Module, Tensor, Tensor> forward) {
    return new Golden(name, type, create, DType.FLOAT32, shape, forward);
  }

  private static Golden layer(
      String name, Class<? extends Module> type, Supplier<Module> create, int[] shape) {
    return g(name, type, create, shape, (m, x) -> ((Layer) m).call(x));
  }

  private static final DType F32 = DType.FLOAT32;

  /** A recurrent core unrolled over a time-major {@code [T, B, F]} input from its zero state. */
  private static Golden core(String name, Class<? extends Module> type, Supplier<Module> create) {
    return g(name, type, create, s(3, 8, 2), (m, x) -> unrollOutputs((RNNCore<?>) m, x));
  }

  private static <S extends State<S>> Tensor unrollOutputs(RNNCore<S> core, Tensor x) {
    return Unroll.dynamicUnroll(core, x, core.initialState(x.dim(1), x.dtype())).outputs();
  }

  /** Every golden. */
  public static List<Golden> all() {
    return List.of(
        layer("linear_1x1", Linear.class, () -> new Linear(1), s(8, 1)),
        layer(
            "linear_nobias_1x1",
            Linear.class,
            () -> Linear.builder(1).withBias(false).build(),
            s(8, 1)),
        layer("bias_3x3x3", Bias.class, Bias::new, s(8, 3, 3, 3)),
        layer("bias_last_dim", Bias.class, () -> Bias.builder().biasDims(-1).build(), s(8, 3, 4)),
        new Golden(
            "embed_100_20",
            Embed.class,
            () -> new Embed(100, 20),
            DType.INT32,
            s(8),
            (m, x) -> ((Embed) m).call(x)),
        layer("conv1d_3x3_2x2", Conv1D.class, () -> new Conv1D(3, 3, 2), s(8, 4, 2)),
        layer("conv2d_3x3_2x2", Conv2D.class, () -> new Conv2D(3, 3, 2), s(8, 4, 4, 2)),
        layer(
            "conv2d_channels_first_valid",
            Conv2D.class,
            () ->
                Conv2D.builder(3, 2)
                    .padding(Pad.VALID)
                    .dataFormat(DataFormat.CHANNELS_FIRST)
                    .build(),
            s(8, 2, 4, 4)),
        layer("conv3d_3x3_2x2", Conv3D.class, () -> new Conv3D(3, 3, 2), s(8, 4, 4, 4, 2)),
        layer(
            "conv1d_transpose_3x3_2x2",
            Conv1DTranspose.class,
            () -> new Conv1DTranspose(3, 3, 2),
            s(8, 4, 2)),
        layer(
            "conv2d_transpose_3x3_2x2",
            Conv2DTranspose.class,
            () -> new Conv2DTranspose(3, 3, 2),
            s(8, 4, 4, 2)),
        layer(
            "conv3d_transpose_3x3_2x2",
            Conv3DTranspose.class,
            () -> new Conv3DTranspose(3, 3, 2),
            s(8, 4, 4, 4, 2)),
        layer("causal_conv1d_2x3", CausalConv1D.class, () -> new CausalConv1D(3, 2), s(8, 5, 2)),
        layer(
            "depthwise_conv2d_3x3_x2",
            DepthwiseConv2D.class,
            () -> DepthwiseConv2D.builder(3).channelMultiplier(2).build(),
            s(8, 4, 4, 2)),
        layer(
            "separable_conv1d_3_x2",
            SeparableConv1D.class,
            () -> new SeparableConv1D(4, 2, 3),
            s(8, 5, 2)),
        layer(
            "separable_conv2d_3x3_x2",
            SeparableConv2D.class,
            () -> new SeparableConv2D(4, 2, 3),
            s(8, 4, 4, 2)),
        layer(
            "layer_norm_last",
            LayerNorm.class,
            () -> new LayerNorm(new int[] {-1}, true, true),
            s(8, 3)),
        layer(
            "instance_norm_2x2x3",
            InstanceNorm.class,
            () -> new InstanceNorm(true, true),
            s(8, 2, 2, 3)),
        layer("group_norm_2_1x2x4", GroupNorm.class, () -> new GroupNorm(2), s(8, 1, 2, 4)),
        g(
            "batch_norm_1x2x2x3",
            BatchNorm.class,
            () -> new BatchNorm(true, true),
            s(8, 2, 2, 3),
            (m, x) -> ((BatchNorm) m).call(x, false, true)),
        g(
            "batch_norm_training_1x2x2x3",
            BatchNorm.class,
            () -> new BatchNorm(false, true),
            s(8, 2, 2, 3),
            (m, x) -> ((BatchNorm) m).call(x, true)),
        g(
            "cross_replica_batch_norm_training_1x2x2x3",
            CrossReplicaBatchNorm.class,
            () -> new CrossReplicaBatchNorm(false, true),
            s(8, 2, 2, 3),
            (m, x) -> ((CrossReplicaBatchNorm) m).call(x, true)),
        g(
            "moving_average_2",
            MovingAverage.class,
            () -> new MovingAverage(0.9),
            s(2),
            (m, x) -> {
              ((MovingAverage) m).update(x);
              return ((MovingAverage) m).value();
            }),
        g(
            "dropout",
            Dropout.class,
            () -> new Dropout(0.5, 3),
            s(8, 3),
            (m, x) -> ((Dropout) m).call(x, true)),
        layer("reshape_3x2", Reshape.class, () -> new Reshape(new int[] {-1, 2}), s(8, 2, 3)),
        layer("flatten_2x3", Flatten.class, Flatten::new, s(8, 2, 3)),
        layer(
            "batch_reshape_2x3",
            BatchReshape.class,
            () -> new BatchReshape(new int[] {2, 3}),
            s(8, 6)),
        layer(
            "batch_apply_linear",
            BatchApply.class,
            () -> new BatchApply(new Linear(4)),
            s(8, 2, 3)),
        g(
            "concat_linear_2_inputs",
            ConcatLinear.class,
            () -> new ConcatLinear(4),
            s(8, 3),
            (m, x) -> ((ConcatLinear) m).call(List.of(x, x.reshape(8, 3, 1).mul(2.0)))),
        layer(
            "slice_by_dim",
            SliceByDim.class,
            () -> new SliceByDim(new int[] {1}, new int[] {1}, new int[] {2}),
            s(8, 4)),
        layer(
            "tile_by_dim",
            TileByDim.class,
            () -> new TileByDim(new int[] {1}, new int[] {3}),
            s(8, 2)),
        layer("merge_dims", MergeDims.class, () -> new MergeDims(1, 2), s(8, 2, 3)),
        g(
            "select_input",
            SelectInput.class,
            () -> new SelectInput(1),
            s(8, 3),
            (m, x) -> ((SelectInput) m).callOne(x.mul(2.0), x)),
        layer("mlp_3x4x5_1x3", MLP.class, () -> new MLP(new int[] {3, 4, 5}), s(8, 3)),
        layer(
            "mlp_tanh_activate_final",
            MLP.class,
            () -> MLP.builder(3, 2).activation(Layers.tanh()).activateFinal(true).build(),
            s(8, 3)),
        g(
            "mlp_dropout",
            MLP.class,
            () -> MLP.builder(3, 2).dropoutRate(0.5).dropoutSeed(1L).build(),
            s(8, 3),
            (m, x) -> ((MLP) m).call(x, true)),
        g(
            "cifar10_convnet_2x3_2x2_1x3x3x2",
            Cifar10ConvNet.class,
            () -> Cifar10ConvNet.builder().outputChannels(2, 3).strides(2, 2).build(),
            s(1, 3, 3, 2),
            (m, x) -> ((Cifar10ConvNet) m).call(x, false).logits()),
        g(
            "resnet_1111_9",
            ResNet.class,
            () -> ResNet.builder(new int[] {1, 1, 1, 1}, 9).channelsPerGroup(8, 8, 8, 8).build(),
            s(1, 8, 8, 3),
            (m, x) -> ((ResNet) m).call(x, false)),
        g(
            "resnet_v2_1111_9",
            ResNet.class,
            () ->
                ResNet.builder(new int[] {1, 1, 1, 1}, 9)
                    .bnConfig(new BatchNormConfig(0.99, 1e-3, true, false))
                    .resnetV2(true)
                    .channelsPerGroup(8, 8, 8, 8)
                    .build(),
            s(1, 8, 8, 3),
            (m, x) -> ((ResNet) m).call(x, true)),
        g(
            "resnet50",
            ResNet50.class,
            () -> new ResNet50(10),
            s(1, 8, 8, 3),
            (m, x) -> ((ResNet) m).call(x, false)),
        g(
            "vqvae",
            VectorQuantizer.class,
            () -> new VectorQuantizer(4, 6, 0.25),
            s(8, 2, 4),
            (m, x) -> ((VectorQuantizer) m).call(x, true).quantize()),
        g(
            "vqvae_ema_train",
            VectorQuantizerEMA.class,
            () -> new VectorQuantizerEMA(4, 6, 0.25, 0.99),
            s(8, 2, 4),
            (m, x) -> ((VectorQuantizerEMA) m).call(x, true).quantize()),
        core("vanilla_rnn_3", VanillaRNN.class, () -> new VanillaRNN(3)),
        g(
            "conv1d_lstm_4x2_3",
            Conv1DLSTM.class,
            () -> new Conv1DLSTM(new int[] {4, 2}, 3, 3),
            s(3, 2, 4, 2),
            (m, x) -> unrollOutputs((RNNCore<?>) m, x)),
        g(
            "conv2d_lstm_3x3x2_2",
            Conv2DLSTM.class,
            () -> new Conv2DLSTM(new int[] {3, 3, 2}, 2, 3),
            s(3, 2, 3, 3, 2),
            (m, x) -> unrollOutputs((RNNCore<?>) m, x)),
        g(
            "conv3d_lstm_2x2x2x1_2",
            Conv3DLSTM.class,
            () -> new Conv3DLSTM(new int[] {2, 2, 2, 1}, 2, 2),
            s(2, 2, 2, 2, 2, 1),
            (m, x) -> unrollOutputs((RNNCore<?>) m, x)),
        g(
            "unrolled_lstm_3",
            UnrolledLSTM.class,
            () -> new UnrolledLSTM(3),
            s(3, 8, 2),
            (m, x) -> {
              var u = (UnrolledLSTM) m;
              return u.call(x, u.initialState(x.dim(1), x.dtype())).outputs();
            }),
        core("lstm_3", LSTM.class, () -> new LSTM(3)),
        core(
            "lstm_3_projection_2_peepholes_clip",
            LSTM.class,
            () -> LSTM.builder(3).projectionSize(2).usePeepholes(true).cellClip(0.5).build()),
        core("gru_3", GRU.class, () -> new GRU(3)),
        g(
            "trainable_state_lstm_3",
            TrainableState.class,
            () -> TrainableState.forCore(new LSTM(3)),
            s(8, 2),
            (m, x) -> ShapeOps.concat(1, ((TrainableState) m).call(x.dim(0)))),
        core(
            "deep_rnn_lstm_3_relu_gru_2",
            DeepRNN.class,
            () -> DeepRNN.of(new LSTM(3), Layers.relu(), new GRU(2))),
        core("residual_core_lstm_2", ResidualCore.class, () -> new ResidualCore(new LSTM(2))),
        g(
            "bidirectional_rnn_lstm_3_gru_2",
            BidirectionalRNN.class,
            () -> new BidirectionalRNN(new LSTM(3), new GRU(2)),
            s(3, 8, 2),
            (m, x) -> ((BidirectionalRNN) m).call(x).outputs()),
        core(
            "recurrent_dropout_lstm_2",
            RecurrentDropoutLSTM.class,
            () -> LSTM.withRecurrentDropout(2, 0.5, 7).train()));
  }

  /**
   * Public, concrete {@link Module} subclasses in {@code pkg}, found from its class files: what the
   * coverage tests (module goldens, checkpoint round trips) check against.
   */
  public static List<Class<?>> publicModules(String pkg)
      throws IOException, URISyntaxException, ClassNotFoundException {
    String path = pkg.replace('.', '/');
    ClassLoader loader = Module.class.getClassLoader();
    Set<String> names = new TreeSet<>();
    Enumeration<URL> roots = loader.getResources(path);
    while (roots.hasMoreElements()) {
      URL url = roots.nextElement();
      if (url.getProtocol().equals("file")) {
        try (Stream<Path> files = Files.list(Paths.get(url.toURI()))) {
          files.map(p -> p.getFileName().toString()).forEach(names::add);
        }
      } else if (url.getProtocol().equals("jar")) {
        JarURLConnection conn = (JarURLConnection) url.openConnection();
        try (JarFile jar = conn.getJarFile()) {
          Enumeration<JarEntry> entries = jar.entries();
          while (entries.hasMoreElements()) {
            String n = entries.nextElement().getName();
            if (n.startsWith(path + "/") && n.indexOf('/', path.length() + 1) < 0) {
              names.add(n.substring(path.length() + 1));
            }
          }
        }
      }
    }
    List<Class<?>> out = new ArrayList<>();
    for (String n : names) {
      if (!n.endsWith(".class") || n.contains("$") || n.endsWith("_Meta.class")) {
        continue;
      }
      Class<?> c = Class.forName(pkg + "." + n.substring(0, n.length() - 6), false, loader);
      int mod = c.getModifiers();
      if (Module.class.isAssignableFrom(c)
          && java.lang.reflect.Modifier.isPublic(mod)
          && !java.lang.reflect.Modifier.isAbstract(mod)) {
        out.add(c);
      }
    }
    return out;
  }
}

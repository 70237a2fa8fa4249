package dev.sonnet.samples.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Recurrent cores over a time-major sequence {@code [50, 64, 128]} with 256 units ({@link
 * RnnSteps}): an LSTM training step (forward and backward through time, SGD) with {@code
 * UnrolledLSTM} ({@code lstm_train}) and with {@code Unroll.dynamicUnroll(LSTM)} ({@code
 * lstm_train_unroll}), and inference without a tape for the LSTM ({@code UnrolledLSTM}) and a GRU.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class RnnBench {
  @Param({"lstm_train", "lstm_train_unroll", "lstm_infer", "gru_infer"})
  public String model;

  private RnnSteps steps;

  @Setup(Level.Trial)
  public void setUp() {
    steps =
        switch (model) {
          case "lstm_train", "lstm_infer" -> RnnSteps.unrolledLstm();
          case "lstm_train_unroll" -> RnnSteps.lstm();
          case "gru_infer" -> RnnSteps.gru();
          default -> throw new IllegalArgumentException("unknown model " + model);
        };
  }

  /** The case's work: a training step for {@code lstm_train*}, inference otherwise. */
  @Benchmark
  public Object run() {
    return model.startsWith("lstm_train") ? steps.trainStep() : steps.infer();
  }
}

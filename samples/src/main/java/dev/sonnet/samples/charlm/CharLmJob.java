package dev.sonnet.samples.charlm;

import dev.sonnet.autodiff.GradientTape;
import dev.sonnet.backend.Backends;
import dev.sonnet.losses.Losses;
import dev.sonnet.losses.Reduction;
import dev.sonnet.nn.Linear;
import dev.sonnet.optimizers.Adam;
import dev.sonnet.optimizers.GradientClipping;
import dev.sonnet.recurrent.LSTM;
import dev.sonnet.recurrent.LSTMState;
import dev.sonnet.recurrent.Step;
import dev.sonnet.recurrent.Unroll;
import dev.sonnet.recurrent.Unrolled;
import dev.sonnet.tensor.Rng;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.TensorScope;
import dev.sonnet.tensor.Variable;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/**
 * A character-level LSTM language model, trained on the King James Bible (see {@link Corpus}).
 *
 * <p>The vocabulary is the set of characters in the text. Each character goes in one-hot, through
 * an {@link LSTM} (default 256 units) and a {@link Linear} to logits over the vocabulary; the loss
 * is the softmax cross-entropy of the next character. Training is truncated backpropagation through
 * time: {@code batch} streams start at evenly spaced offsets of the training text, each step
 * unrolls {@code seqLength} characters of each from the state the previous step left (kept out of
 * the step's {@link TensorScope}, so no gradient flows into the past), and a stream that reaches
 * its end starts again from a zero state. Adam, gradients clipped to a global norm of 5.
 *
 * <p>The last part of the text is held out. Before training and after each "epoch" (a fixed number
 * of steps) the job prints the held-out bits per character (the mean cross-entropy in bits, run
 * over the held-out text as {@code batch} streams carrying their state) and one line sampled from
 * the model at a temperature, with a seeded {@link Rng}; at the end, the throughput in characters
 * (tokens) per second and a last line {@code bits_per_char=X.XXXX}. Deterministic for a seed on the
 * CPU backend.
 */
public final class CharLmJob {
  /** Held-out characters the model reads before each sample, to start from a real state. */
  static final int PRIME_LENGTH = 64;

  /** Gradients are clipped to this global norm, the usual guard for LSTMs. */
  static final double CLIP_NORM = 5.0;

  /** Command-line options. */
  record Options(
      int epochs,
      int stepsPerEpoch,
      int hidden,
      int seqLength,
      int batch,
      double learningRate,
      long seed,
      int evalChars,
      int sampleLength,
      double temperature,
      Path text,
      boolean embedded) {
    static final String USAGE =
        """
        Usage: CharLmJob [options]   (with Maven: -Dsonnet.args="...")
          --epochs N          epochs (default 6)
          --steps N           training steps per epoch (default 150)
          --hidden N          LSTM units (default 256)
          --seq-length N      characters per truncated-BPTT step (default 64)
          --batch N           streams per step (default 32)
          --learning-rate X   Adam's learning rate (default 0.003)
          --seed N            seed for the weights and the samples (default 42)
          --eval-chars N      held-out characters, at most a tenth of the text (default 16384)
          --sample-length N   characters sampled after each epoch (default 100)
          --temperature X     sampling temperature (default 0.7)
          --text FILE         train on this UTF-8 file instead of the King James Bible
          --embedded          train on the excerpt embedded in the jar (Genesis 1-4)
        A longer run: --epochs 20 --steps 200""";

    static Options defaults() {
      return parse(new String[0]);
    }

    static Options parse(String[] args) {
      int epochs = 6;
      int steps = 150;
      int hidden = 256;
      int seqLength = 64;
      int batch = 32;
      double learningRate = 0.003;
      long seed = 42;
      int evalChars = 16384;
      int sampleLength = 100;
      double temperature = 0.7;
      Path text = null;
      boolean embedded = false;
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        if (a.equals("--help") || a.equals("-h")) {
          throw new HelpRequested();
        }
        if (a.equals("--embedded")) {
          embedded = true;
          text = null;
          continue;
        }
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException(a + " needs a value\n" + USAGE);
        }
        String v = args[++i];
        try {
          switch (a) {
            case "--epochs" -> epochs = positive(a, v);
            case "--steps" -> steps = positive(a, v);
            case "--hidden" -> hidden = positive(a, v);
            case "--seq-length" -> seqLength = positive(a, v);
            case "--batch" -> batch = positive(a, v);
            case "--learning-rate" -> learningRate = Double.parseDouble(v);
            case "--seed" -> seed = Long.parseLong(v);
            case "--eval-chars" -> evalChars = positive(a, v);
            case "--sample-length" -> sampleLength = positive(a, v);
            case "--temperature" -> temperature = Double.parseDouble(v);
            case "--text" -> text = Path.of(v);
            default -> throw new IllegalArgumentException("Unknown option " + a + "\n" + USAGE);
          }
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException(a + ": not a number: " + v);
        }
      }
      if (!(learningRate > 0) || !(temperature > 0)) {
        throw new IllegalArgumentException("--learning-rate and --temperature must be > 0");
      }
      return new Options(
          epochs,
          steps,
          hidden,
          seqLength,
          batch,
          learningRate,
          seed,
          evalChars,
          sampleLength,
          temperature,
          text,
          embedded);
    }

    private static int positive(String name, String v) {
      int n = Integer.parseInt(v);
      if (n < 1) {
        throw new IllegalArgumentException(name + " must be >= 1, got " + n);
      }
      return n;
    }
  }

  /** {@code --help}. */
  static final class HelpRequested extends RuntimeException {
    HelpRequested() {
      super(null, null, false, false);
    }
  }

  /**
   * What a run produced.
   *
   * @param bitsPerChar held-out bits per character before training (index 0) and after each epoch
   * @param samples the line sampled after each epoch
   * @param tokensPerSecond training characters per second (the batch's, all streams)
   * @param source where the text came from
   */
  record Result(
      List<Double> bitsPerChar, List<String> samples, double tokensPerSecond, String source) {}

  private final Options options;
  private final Corpus corpus;
  private final PrintStream out;

  CharLmJob(Options options, Corpus corpus, PrintStream out) {
    this.options = options;
    this.corpus = corpus;
    this.out = out;
  }

  public static void main(String[] args) {
    Options options;
    try {
      options = Options.parse(args);
    } catch (HelpRequested e) {
      System.out.println(Options.USAGE);
      return;
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    Corpus corpus = Corpus.load(options.text(), options.embedded(), System.out);
    new CharLmJob(options, corpus, System.out).run();
  }

  /** Trains and reports; returns the figures. */
  Result run() {
    String text = corpus.text();
    TreeSet<Character> chars = new TreeSet<>();
    for (int i = 0; i < text.length(); i++) {
      chars.add(text.charAt(i));
    }
    char[] vocab = new char[chars.size()];
    int[] index = new int[Character.MAX_VALUE + 1];
    int k = 0;
    for (char c : chars) {
      index[c] = k;
      vocab[k++] = c;
    }
    int[] ids = new int[text.length()];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = index[text.charAt(i)];
    }
    int heldOut = Math.min(options.evalChars(), ids.length / 10);
    int[] train = java.util.Arrays.copyOfRange(ids, 0, ids.length - heldOut);
    int[] valid = java.util.Arrays.copyOfRange(ids, ids.length - heldOut, ids.length);
    int v = vocab.length;
    int t = options.seqLength();
    int b = options.batch();
    int streamLength = (train.length - 1) / b;
    if (streamLength < t + 1) {
      throw new IllegalArgumentException(
          "The training text ("
              + train.length
              + " characters) is too short for "
              + b
              + " streams of "
              + t
              + "+1; use a smaller --batch or --seq-length");
    }

    out.println(
        "Backend: "
            + Backends.getDefault().name()
            + " ("
            + Backends.getDefault().deviceName()
            + ")");
    out.printf(
        Locale.ROOT,
        "Text: %s; %,d characters, vocabulary %d; %,d for training, %,d held out%n",
        corpus.source(),
        ids.length,
        v,
        train.length,
        valid.length);

    var lstm = LSTM.builder(options.hidden()).name("lstm").build();
    var head = new Linear(v, "logits");
    try (TensorScope first = TensorScope.open()) {
      head.call(
          lstm.call(oneHot(new int[] {0}, 1, 1, v).reshape(1, v), lstm.initialState(1)).output());
    }
    List<Variable> params = new ArrayList<>(lstm.trainableVariables());
    params.addAll(head.trainableVariables());
    long paramCount = 0;
    for (Variable p : params) {
      paramCount += p.shape().size();
    }
    Adam optimizer = new Adam(options.learningRate());
    out.printf(
        Locale.ROOT,
        "Model: one-hot(%d) -> LSTM(%d) -> Linear(%d), %,d parameters; Adam %s, clip %.0f;"
            + " batch %d x %d characters, %d epochs x %d steps, seed %d%n",
        v,
        options.hidden(),
        v,
        paramCount,
        options.learningRate(),
        CLIP_NORM,
        b,
        t,
        options.epochs(),
        options.stepsPerEpoch(),
        options.seed());

    List<Double> bpc = new ArrayList<>();
    List<String> samples = new ArrayList<>();
    Rng sampleRng = new Rng(options.seed());
    double initial = evaluate(lstm, head, valid, v);
    bpc.add(initial);
    out.printf(
        Locale.ROOT,
        "epoch 0/%d  held-out %.4f bits/char (uniform: %.4f)%n",
        options.epochs(),
        initial,
        Math.log(v) / Math.log(2));

    LSTMState state = lstm.initialState(b);
    int pos = 0;
    long trainNanos = 0;
    long tokens = 0;
    int[] inputs = new int[t * b];
    int[] targets = new int[t * b];
    for (int epoch = 1; epoch <= options.epochs(); epoch++) {
      double lossSum = 0;
      long start = System.nanoTime();
      for (int s = 0; s < options.stepsPerEpoch(); s++) {
        if (pos + t + 1 > streamLength) {
          pos = 0;
          state = lstm.initialState(b);
        }
        for (int step = 0; step < t; step++) {
          for (int n = 0; n < b; n++) {
            int at = n * streamLength + pos + step;
            inputs[step * b + n] = train[at];
            targets[step * b + n] = train[at + 1];
          }
        }
        pos += t;
        // Everything made in the step is freed when it ends; the next state is kept out of it.
        try (TensorScope scope = TensorScope.open()) {
          Tensor x = oneHot(inputs, t, b, v);
          Tensor y = Tensor.of(targets, t * b);
          Tensor loss;
          List<Tensor> grads;
          LSTMState next;
          try (GradientTape tape = GradientTape.open()) {
            Unrolled<LSTMState> u = Unroll.dynamicUnroll(lstm, x, state);
            Tensor logits = head.call(u.outputs().reshape(t * b, lstm.outputSize().dim(0)));
            loss = Losses.softmaxCrossEntropy(logits, y);
            grads = tape.gradient(loss, params);
            next = u.finalState();
          }
          optimizer.apply(GradientClipping.clipByGlobalNorm(grads, CLIP_NORM).gradients(), params);
          lossSum += loss.item();
          state = new LSTMState(scope.keep(next.hidden()), scope.keep(next.cell()));
        }
      }
      long nanos = System.nanoTime() - start;
      trainNanos += nanos;
      tokens += (long) options.stepsPerEpoch() * t * b;
      double trainBpc = lossSum / options.stepsPerEpoch() / Math.log(2);
      if (!Double.isFinite(trainBpc)) {
        throw new IllegalStateException(
            "The loss became "
                + trainBpc
                + " in epoch "
                + epoch
                + "; try a smaller --learning-rate");
      }
      double held = evaluate(lstm, head, valid, v);
      bpc.add(held);
      String sample = sample(lstm, head, vocab, valid, sampleRng);
      samples.add(sample);
      out.printf(
          Locale.ROOT,
          "epoch %d/%d  train %.4f bits/char  held-out %.4f bits/char  %,.0f chars/s  (%.1f s)%n",
          epoch,
          options.epochs(),
          trainBpc,
          held,
          (double) options.stepsPerEpoch() * t * b / (nanos / 1e9),
          nanos / 1e9);
      out.println("  sample: " + sample.replace("\n", "\\n"));
    }
    double tokensPerSecond = tokens / (trainNanos / 1e9);
    out.printf(
        Locale.ROOT,
        "trained on %,d characters in %.1f s: %,.0f characters (tokens) per second%n",
        tokens,
        trainNanos / 1e9,
        tokensPerSecond);
    out.printf(Locale.ROOT, "bits_per_char=%.4f%n", bpc.get(bpc.size() - 1));
    return new Result(bpc, samples, tokensPerSecond, corpus.source());
  }

  /** {@code ids} ({@code [t, b]} row-major) one-hot as float32 {@code [t, b, v]}. */
  private static Tensor oneHot(int[] ids, int t, int b, int v) {
    float[] x = new float[t * b * v];
    for (int i = 0; i < t * b; i++) {
      x[i * v + ids[i]] = 1f;
    }
    return Tensor.of(x, t, b, v);
  }

  /**
   * The held-out bits per character: the text as {@code batch} streams, each run in chunks of
   * {@code seqLength} with its state carried, no tape.
   */
  private double evaluate(LSTM lstm, Linear head, int[] valid, int v) {
    int b = Math.max(1, Math.min(options.batch(), (valid.length - 1) / 2));
    int length = (valid.length - 1) / b;
    LSTMState state = lstm.initialState(b);
    double nats = 0;
    long count = 0;
    for (int pos = 0; pos < length; pos += options.seqLength()) {
      int t = Math.min(options.seqLength(), length - pos);
      int[] inputs = new int[t * b];
      int[] targets = new int[t * b];
      for (int step = 0; step < t; step++) {
        for (int n = 0; n < b; n++) {
          int at = n * length + pos + step;
          inputs[step * b + n] = valid[at];
          targets[step * b + n] = valid[at + 1];
        }
      }
      try (TensorScope scope = TensorScope.open()) {
        Unrolled<LSTMState> u = Unroll.dynamicUnroll(lstm, oneHot(inputs, t, b, v), state);
        Tensor logits = head.call(u.outputs().reshape(t * b, lstm.outputSize().dim(0)));
        nats += Losses.softmaxCrossEntropy(logits, Tensor.of(targets, t * b), Reduction.SUM).item();
        count += (long) t * b;
        LSTMState next = u.finalState();
        state = new LSTMState(scope.keep(next.hidden()), scope.keep(next.cell()));
      }
    }
    return nats / count / Math.log(2);
  }

  /**
   * {@code sampleLength} characters drawn one at a time from the model at {@code temperature},
   * continuing the first {@value #PRIME_LENGTH} characters of the held-out text: the model reads
   * them first, so the sample starts from the state real text leaves, not from a zero state (from
   * which one unlucky first capital can send it into a run of capitals).
   */
  private String sample(LSTM lstm, Linear head, char[] vocab, int[] heldOut, Rng rng) {
    int v = vocab.length;
    int primeLength = Math.min(PRIME_LENGTH, heldOut.length);
    LSTMState state = lstm.initialState(1);
    for (int i = 0; i + 1 < primeLength; i++) {
      try (TensorScope scope = TensorScope.open()) {
        LSTMState next =
            lstm.call(oneHot(new int[] {heldOut[i]}, 1, 1, v).reshape(1, v), state).state();
        state = new LSTMState(scope.keep(next.hidden()), scope.keep(next.cell()));
      }
    }
    int previous = primeLength > 0 ? heldOut[primeLength - 1] : 0;
    StringBuilder sb = new StringBuilder(options.sampleLength());
    double[] p = new double[v];
    for (int i = 0; i < options.sampleLength(); i++) {
      double[] logits;
      try (TensorScope scope = TensorScope.open()) {
        Step<LSTMState> step =
            lstm.call(oneHot(new int[] {previous}, 1, 1, v).reshape(1, v), state);
        logits = head.call(step.output()).toDoubleArray();
        LSTMState next = step.state();
        state = new LSTMState(scope.keep(next.hidden()), scope.keep(next.cell()));
      }
      double max = Double.NEGATIVE_INFINITY;
      for (double l : logits) {
        max = Math.max(max, l);
      }
      double total = 0;
      for (int c = 0; c < v; c++) {
        p[c] = Math.exp((logits[c] - max) / options.temperature());
        total += p[c];
      }
      double u = rng.nextDouble() * total;
      int c = 0;
      while (c < v - 1 && (u -= p[c]) > 0) {
        c++;
      }
      sb.append(vocab[c]);
      previous = c;
    }
    return sb.toString();
  }
}

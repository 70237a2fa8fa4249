package dev.sonnet.nn;

import dev.sonnet.initializers.Initializer;
import dev.sonnet.initializers.Initializers;
import dev.sonnet.module.Build;
import dev.sonnet.module.Layer;
import dev.sonnet.module.Module;
import dev.sonnet.module.Param;
import dev.sonnet.module.Settings;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.DTypeException;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.ShapeException;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;

/**
 * An embedding table: {@code y[..., :] = embeddings[ids[...], :]}.
 *
 * <p><b>Shapes.</b> Input: int32 or int64 ids of any shape, each in {@code [0, vocabSize)}; output
 * {@code ids.shape + [embedDim]}.
 *
 * <p><b>Variables:</b> {@code embeddings:[vocabSize, embedDim]} of {@code dtype}, initialised by
 * {@code initializer} (default a truncated normal with standard deviation 1) or copied from {@code
 * existingVocab}; trainable unless {@code trainable} is false. Sonnet creates it in the
 * constructor; here it is created on the first call (or {@link #embeddings()}), once the module
 * sits at its final path, with the same value.
 *
 * <pre>{@code
 * var embed = new Embed(1000, 16);
 * var frozen = Embed.builder(pretrained).trainable(false).build();
 * Tensor y = embed.call(Tensor.of(new int[] {3, 7, 7}, 3));   // [3, 16]
 * }</pre>
 */
public final class Embed extends Module implements Layer {
  /**
   * {@code null}: no row count; set it ({@link #builder(int)}) unless {@code existingVocab} is
   * given, which then supplies it.
   */
  public static final Integer DEFAULT_VOCAB_SIZE = null;

  /**
   * {@code null}: {@code round(6 * vocabSize^0.25)} (Sonnet's rule of thumb), or the table's row
   * size with {@code existingVocab}.
   */
  public static final Integer DEFAULT_EMBED_DIM = null;

  /**
   * {@code null}: no initial table; the table is initialised by {@code initializer}. When given, it
   * excludes {@code vocabSize}, {@code embedDim} and {@code initializer}.
   */
  public static final Tensor DEFAULT_EXISTING_VOCAB = null;

  /**
   * {@code null}: a truncated normal with standard deviation 1, chosen on the first call (Sonnet's
   * default: rows of unit scale); must stay null with {@code existingVocab}.
   */
  public static final Initializer DEFAULT_INITIALIZER = null;

  /** {@code true}: embeddings are usually learned. */
  public static final boolean DEFAULT_TRAINABLE = true;

  /** {@link DType#FLOAT32}, as in Sonnet; with {@code existingVocab} the table's dtype is used. */
  public static final DType DEFAULT_DTYPE = DType.FLOAT32;

  final Integer vocabSize;
  final Integer embedDim;
  private final int rows;
  private final int dim;
  final Tensor existingVocab;
  final Initializer initializer;
  final boolean trainable;
  final DType dtype;
  @Param Variable embeddings;

  /** A table of {@code vocabSize} rows of size {@code round(6 * vocabSize^0.25)}. */
  public Embed(int vocabSize) {
    this(
        vocabSize,
        DEFAULT_EMBED_DIM,
        DEFAULT_EXISTING_VOCAB,
        DEFAULT_INITIALIZER,
        DEFAULT_TRAINABLE,
        DEFAULT_DTYPE,
        null);
  }

  /** A table of {@code vocabSize} rows of size {@code embedDim}. */
  public Embed(int vocabSize, int embedDim) {
    this(
        vocabSize,
        embedDim,
        DEFAULT_EXISTING_VOCAB,
        DEFAULT_INITIALIZER,
        DEFAULT_TRAINABLE,
        DEFAULT_DTYPE,
        null);
  }

  /** A table initialised from {@code existingVocab} {@code [vocabSize, embedDim]}. */
  public Embed(Tensor existingVocab) {
    this(
        DEFAULT_VOCAB_SIZE,
        DEFAULT_EMBED_DIM,
        existingVocab,
        DEFAULT_INITIALIZER,
        DEFAULT_TRAINABLE,
        DEFAULT_DTYPE,
        null);
  }

  /**
   * Starts a table of {@code vocabSize} rows with every other setting at its default, e.g. {@code
   * Embed.builder(1000).embedDim(16).initializer(Initializers.zeros()).build()}.
   *
   * @param vocabSize the number of rows, at least 1
   */
  public static EmbedBuilder builder(int vocabSize) {
    return new EmbedBuilder().vocabSize(vocabSize);
  }

  /**
   * Starts a table initialised from {@code existingVocab} {@code [vocabSize, embedDim]}, e.g.
   * {@code Embed.builder(pretrained).trainable(false).build()}.
   */
  public static EmbedBuilder builder(Tensor existingVocab) {
    return new EmbedBuilder().existingVocab(existingVocab);
  }

  /**
   * Every setting; called by {@link EmbedBuilder}, which documents each and its default. {@code
   * vocabSize} is required unless {@code existingVocab} is given, and then {@code vocabSize},
   * {@code embedDim} and {@code initializer} must be null.
   */
  @Settings
  Embed(
      Integer vocabSize,
      Integer embedDim,
      Tensor existingVocab,
      Initializer initializer,
      boolean trainable,
      DType dtype,
      String name) {
    super(name);
    NnSupport.required("Embed", "dtype", dtype);
    if (existingVocab != null) {
      if (vocabSize != null || embedDim != null || initializer != null) {
        throw new IllegalArgumentException(
            "Embed: when existingVocab is given, vocabSize,"
                + " embedDim and initializer must be null (they come from the table)");
      }
      if (existingVocab.rank() != 2) {
        throw new ShapeException(
            "Embed: existingVocab must be [vocabSize, embedDim], got " + existingVocab.shape());
      }
      this.rows = existingVocab.dim(0);
      this.dim = existingVocab.dim(1);
      this.dtype = existingVocab.dtype();
    } else {
      if (vocabSize == null || vocabSize < 1) {
        throw new IllegalArgumentException(
            "Embed: vocabSize must be >= 1 when no existingVocab" + " is given, got " + vocabSize);
      }
      this.rows = vocabSize;
      this.dim = embedDim != null ? embedDim : (int) Math.round(6 * Math.pow(vocabSize, 0.25));
      if (this.dim < 1) {
        throw new IllegalArgumentException("Embed: embedDim must be >= 1, got " + embedDim);
      }
      this.dtype = dtype;
    }
    this.vocabSize = vocabSize;
    this.embedDim = embedDim;
    this.existingVocab = existingVocab;
    this.initializer = initializer;
    this.trainable = trainable;
  }

  /** The number of rows. */
  public int vocabularySize() {
    return rows;
  }

  /** The row size. */
  public int embeddingDim() {
    return dim;
  }

  @Build
  void initialize(DType requested) {
    Initializer init =
        existingVocab != null
            ? (s, d, r) -> existingVocab.cast(d)
            : initializer != null ? initializer : Initializers.truncatedNormal(1.0);
    embeddings = variable("embeddings", init, dtype, Shape.of(rows, dim), trainable);
  }

  /** The table, created now if it was not yet. */
  public Variable embeddings() {
    build(dtype);
    return embeddings;
  }

  @Override
  public Tensor call(Tensor ids) {
    build(dtype);
    if (!ids.dtype().isInteger()) {
      throw new DTypeException(
          "Embed '"
              + path()
              + "': ids must be int32 or int64, got "
              + ids.dtype()
              + ids.shape()
              + "; cast them, e.g. ids.cast(DType.INT32)");
    }
    return embeddings.asTensor().gather(ids, 0);
  }
}

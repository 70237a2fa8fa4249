package test;

import dev.sonnet.initializers.Initializer;
import javax.annotation.processing.Generated;

/**
 * Builds a {@link MyConv} from named settings; a setting left unset keeps its default, the
 * {@code DEFAULT_*} constant named on its method. Generated from the {@code @Settings}
 * constructor of MyConv; do not edit.
 */
@Generated("dev.sonnet.processor.ModuleProcessor")
public final class MyConvBuilder {
  private final int outputChannels;

  private final int[] kernelShape;

  private int[] stride = MyConv.DEFAULT_STRIDE.stream().mapToInt(Integer::intValue).toArray();

  private boolean withBias = MyConv.DEFAULT_WITH_BIAS;

  private Initializer wInit = MyConv.DEFAULT_W_INIT;

  private MyConv.Mode mode = MyConv.DEFAULT_MODE;

  private String name;

  /**
   * Starts a MyConv with its required settings; every other setting has its default.
   */
  public MyConvBuilder(int outputChannels, int... kernelShape) {
    this.outputChannels = outputChannels;
    this.kernelShape = kernelShape;
  }

  /**
   * Sets {@code stride}; by default {@link MyConv#DEFAULT_STRIDE}, whose Javadoc says why.
   */
  public MyConvBuilder stride(int... stride) {
    this.stride = stride;
    return this;
  }

  /**
   * Sets {@code withBias}; by default {@link MyConv#DEFAULT_WITH_BIAS}, whose Javadoc says why.
   */
  public MyConvBuilder withBias(boolean withBias) {
    this.withBias = withBias;
    return this;
  }

  /**
   * Sets {@code wInit}; by default {@link MyConv#DEFAULT_W_INIT}, whose Javadoc says why.
   */
  public MyConvBuilder wInit(Initializer wInit) {
    this.wInit = wInit;
    return this;
  }

  /**
   * Sets {@code mode}; by default {@link MyConv#DEFAULT_MODE}, whose Javadoc says why.
   */
  public MyConvBuilder mode(MyConv.Mode mode) {
    this.mode = mode;
    return this;
  }

  /**
   * Sets the module name; by default the class name in snake_case, made unique
   * among siblings.
   */
  public MyConvBuilder name(String name) {
    this.name = name;
    return this;
  }

  /**
   * A new MyConv with these settings. Each call makes a new module.
   *
   * @throws IllegalArgumentException if a setting breaks a rule of MyConv; the message names the
   *     module, the setting and the rule
   */
  public MyConv build() {
    return new MyConv(outputChannels, kernelShape, stride, withBias, wInit, mode, name);
  }
}

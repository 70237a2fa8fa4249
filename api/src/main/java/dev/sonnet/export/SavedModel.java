package dev.sonnet.export;

import dev.sonnet.backend.Backend;
import dev.sonnet.backend.Backends;
import dev.sonnet.checkpoint.BoundedJson;
import dev.sonnet.checkpoint.CheckpointFormatException;
import dev.sonnet.checkpoint.HostArray;
import dev.sonnet.checkpoint.SafeTensors;
import dev.sonnet.checkpoint.SafeTensorsFile;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Functions and variables in one file that runs without the code that built the model: Sonnet 2's
 * saved model.
 *
 * <pre>{@code
 * SavedModel.builder()
 *     .function("inference", mlp::call, TensorSpec.of(FLOAT32, -1, 784))
 *     .variables(mlp.variables())              // all_variables: what a loader can read and assign
 *     .save(Path.of("mlp.savedmodel"));
 *
 * SavedModel loaded = SavedModel.load(Path.of("mlp.savedmodel"));   // no MLP class needed
 * Tensor logits = loaded.function("inference").call(x);            // any batch size
 * loaded.allVariables();
 * }</pre>
 *
 * <p><b>What it is.</b> Each function is traced ({@link Tracing}) into a graph of the library's
 * primitives when it is added; the variables it reads are captured by name, not frozen. The loaded
 * object is not a module (as in Sonnet): it has functions by name and {@link #allVariables()}, each
 * a real {@link Variable} that can be read and assigned, and every function reads their current
 * values. Its functions run on the backend given to {@link #load(Path, Backend)} (the default
 * backend otherwise), check their inputs against their signatures, and run optimized for inference
 * ({@link GraphFunction}).
 *
 * <p><b>Format</b> (version 1). One safetensors file: each variable is the tensor {@code
 * variables/<name>}, each constant of a function {@code constants/<function>/<index>}, so every
 * safetensors tool reads the weights; the header's metadata holds the graph document under {@code
 * sonnet.saved_model}, JSON described in the Javadoc of the package-private {@code
 * SavedModelFormat} and in the README. The file is written atomically.
 *
 * <p><b>Hostile files.</b> {@link #load} trusts nothing: the header is read with the checkpoint
 * reader's bounds, the graph with a bounded JSON reader, every field is type- and range-checked,
 * every node's output shape is re-derived from its inputs at two sizes of each unknown dimension,
 * and the document never names a Java class. Every problem is a {@link CheckpointFormatException}
 * naming the file and the place.
 */
public final class SavedModel {
  private final Path file;
  private final Map<String, GraphFunction> functions;
  private final List<Variable> variables;

  private SavedModel(Path file, Map<String, GraphFunction> functions, List<Variable> variables) {
    this.file = file;
    this.functions = functions;
    this.variables = List.copyOf(variables);
  }

  /** Starts collecting functions and variables to save. */
  public static Builder builder() {
    return new Builder();
  }

  /** Loads {@code file}, its functions running on the default backend. */
  public static SavedModel load(Path file) {
    return load(file, Backends.getDefault());
  }

  /**
   * Loads {@code file}, creating its variables on {@code backend}.
   *
   * @throws dev.sonnet.checkpoint.CheckpointException if the file cannot be read, is not a saved
   *     model, or is damaged or malformed in any way (the message names the file and the problem)
   */
  public static SavedModel load(Path file, Backend backend) {
    try (SafeTensorsFile f = SafeTensors.open(file)) {
      String json = f.metadata().get(SavedModelFormat.METADATA_KEY);
      if (json == null) {
        throw new CheckpointFormatException(
            file,
            "not a saved model: its metadata has no \""
                + SavedModelFormat.METADATA_KEY
                + "\" graph (a plain checkpoint holds weights only; restore it with"
                + " Checkpoint.restore into a module made in code)");
      }
      Object root =
          BoundedJson.parse(
              file,
              "the saved model graph",
              json,
              SavedModelFormat.MAX_BYTES,
              SavedModelFormat.MAX_VALUES);
      JsonFields j = new JsonFields(file);
      SavedModelFormat.Document doc;
      try {
        doc = SavedModelFormat.read(j, root, f);
      } catch (IllegalArgumentException | ArithmeticException e) {
        throw new CheckpointFormatException(file, "saved model graph: " + e.getMessage(), e);
      }
      Map<String, Variable> byName = new LinkedHashMap<>();
      for (SavedModelFormat.VariableEntry e : doc.variables()) {
        String tensor = SavedModelFormat.variableTensor(e.name());
        SafeTensorsFile.Entry entry = f.entry(tensor);
        Shape shape = Shape.of(e.shape().stream().mapToInt(Integer::intValue).toArray());
        if (entry == null
            || entry.dtype() != e.dtype()
            || entry.shape() == null
            || !entry.shape().equals(shape)) {
          throw new CheckpointFormatException(
              file,
              "variable \""
                  + e.name()
                  + "\" is declared "
                  + SavedModelFormat.name(e.dtype())
                  + shape
                  + " but the file's tensor \""
                  + tensor
                  + "\" is "
                  + (entry == null ? "missing" : String.valueOf(entry)));
        }
        HostArray data = f.read(entry);
        byName.put(e.name(), new Variable(e.name(), data.toTensor(backend), e.trainable()));
      }
      Map<String, GraphFunction> functions = new LinkedHashMap<>();
      for (Map.Entry<String, Graph> e : doc.functions().entrySet()) {
        List<Variable> bound = new ArrayList<>();
        for (GraphVariable v : e.getValue().variables()) {
          bound.add(byName.get(v.name()));
        }
        functions.put(e.getKey(), new GraphFunction(e.getKey(), e.getValue(), bound));
      }
      return new SavedModel(file, functions, new ArrayList<>(byName.values()));
    }
  }

  /**
   * The function saved as {@code name}.
   *
   * @throws IllegalArgumentException naming the functions there are, if none has that name
   */
  public GraphFunction function(String name) {
    GraphFunction f = functions.get(name);
    if (f == null) {
      throw new IllegalArgumentException(
          "saved model " + file + " has no function '" + name + "'; it has " + functions.keySet());
    }
    return f;
  }

  /** The names of the functions, in the order they were saved. */
  public Set<String> functionNames() {
    return functions.keySet();
  }

  /** Every variable of the model, in the order saved: read them, or assign new values. */
  public List<Variable> allVariables() {
    return variables;
  }

  /** Only the trainable variables. */
  public List<Variable> trainableVariables() {
    return variables.stream().filter(Variable::trainable).toList();
  }

  /** The file this model was loaded from. */
  public Path file() {
    return file;
  }

  @Override
  public String toString() {
    return "SavedModel("
        + file
        + ", functions "
        + functions.values()
        + ", "
        + variables.size()
        + " variables)";
  }

  /** Collects the functions and variables of a saved model; {@link #save} writes them. */
  public static final class Builder {
    private final Map<String, GraphFunction> functions = new LinkedHashMap<>();
    private final List<Variable> extra = new ArrayList<>();

    private Builder() {}

    /**
     * Traces {@code function} for inputs of {@code specs} (on the default backend) and adds it as
     * {@code name}.
     *
     * @throws TraceException if the function does something a graph cannot hold
     * @throws IllegalArgumentException if {@code name} is taken or not a name (letters, digits and
     *     '_', a letter first)
     */
    public Builder function(String name, TensorFunction function, TensorSpec... specs) {
      return function(name, Tracing.trace(function, specs));
    }

    /** Traces a function of one tensor ({@code model::call}) and adds it as {@code name}. */
    public Builder function(String name, Function<Tensor, Tensor> function, TensorSpec spec) {
      return function(name, TensorFunction.of(function), spec);
    }

    /** Adds an already traced function as {@code name}. */
    public Builder function(String name, GraphFunction traced) {
      if (!DimExpr.isSymbolName(name)) {
        throw new IllegalArgumentException(
            "SavedModel: function name '"
                + name
                + "' must be letters, digits and '_', a letter first");
      }
      if (functions.putIfAbsent(name, traced.named(name)) != null) {
        throw new IllegalArgumentException(
            "SavedModel: a function is already named '" + name + "'");
      }
      return this;
    }

    /**
     * Adds {@code variables} to the model's {@code allVariables()}, as Sonnet's {@code
     * all_variables = list(model.variables)}; variables the functions read are always included.
     */
    public Builder variables(Collection<Variable> variables) {
      extra.addAll(variables);
      return this;
    }

    /**
     * Writes the file (atomically: a failure leaves any previous file untouched).
     *
     * @throws IllegalStateException if there is no function, or two different variables share a
     *     name
     */
    public void save(Path file) {
      if (functions.isEmpty()) {
        throw new IllegalStateException("SavedModel: add at least one function before saving");
      }
      Map<String, Variable> byName = new LinkedHashMap<>();
      IdentityHashMap<Variable, Boolean> seen = new IdentityHashMap<>();
      List<Variable> all = new ArrayList<>();
      for (GraphFunction f : functions.values()) {
        all.addAll(f.variables());
      }
      all.addAll(extra);
      List<GraphVariable> declared = new ArrayList<>();
      for (Variable v : all) {
        if (seen.put(v, Boolean.TRUE) != null) {
          continue;
        }
        if (byName.putIfAbsent(v.name(), v) != null) {
          throw new IllegalStateException(
              "SavedModel: two different variables are named '"
                  + v.name()
                  + "'; give the modules distinct names");
        }
        declared.add(
            new GraphVariable(
                v.name(), v.trainable(), new Value(0, v.dtype(), SymbolicShape.of(v.shape()))));
      }
      Map<String, HostArray> tensors = new LinkedHashMap<>();
      for (Variable v : byName.values()) {
        tensors.put(SavedModelFormat.variableTensor(v.name()), HostArray.of(v.peek()));
      }
      Map<String, Graph> graphs = new LinkedHashMap<>();
      for (Map.Entry<String, GraphFunction> e : functions.entrySet()) {
        Graph g = e.getValue().graph();
        graphs.put(e.getKey(), g);
        SavedModelFormat.forEachConstant(e.getKey(), g, tensors::put);
      }
      String json = BoundedJson.write(SavedModelFormat.document(declared, graphs));
      SafeTensors.write(file, tensors, Map.of(SavedModelFormat.METADATA_KEY, json));
    }
  }
}

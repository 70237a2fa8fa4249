package dev.sonnet.samples.modules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sonnet.module.Module;
import dev.sonnet.module.Sequential;
import dev.sonnet.module.StateVisitor;
import dev.sonnet.module.VariableSpec;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The hooks checkpoints build on: listing state by field, restoring, restore-on-create. */
class ModuleStateTest {
  @Test
  void visitState_listsVariablesAndSubmodulesByField() {
    var mlp = new MyMLP(4, 2);
    mlp.call(Tensor.ones(DType.FLOAT32, 1, 3));
    List<String> keys = new ArrayList<>();

    collect(mlp, "", keys);

    assertThat(keys).containsExactly("hToO", "hToO/b", "hToO/w", "xToH", "xToH/b", "xToH/w");
  }

  @Test
  void visitState_keysListElementsByIndex() {
    var seq = new Sequential(new MyLinear(2), new MyLinear(2));
    seq.call(Tensor.ones(DType.FLOAT32, 1, 2));
    List<String> keys = new ArrayList<>();

    collect(seq, "", keys);

    assertThat(keys)
        .containsExactly(
            "layers/0", "layers/0/b", "layers/0/w", "layers/1", "layers/1/b", "layers/1/w");
  }

  private static void collect(Module module, String prefix, List<String> keys) {
    module.visitState(
        new StateVisitor() {
          @Override
          public void variable(String key, Variable value) {
            keys.add(prefix + key);
          }

          @Override
          public void module(String key, Module child) {
            keys.add(prefix + key);
            collect(child, prefix + key + "/", keys);
          }
        });
  }

  @Test
  void restoreParam_setsTheFieldWithoutReflection() {
    var mod = new MyLinear(2);
    mod.call(Tensor.ones(DType.FLOAT32, 1, 2));
    var replacement = new Variable("my_linear/b", Tensor.full(DType.FLOAT32, 7, 2), true);

    assertThat(mod.restoreParam("b", replacement)).isTrue();
    assertThat(mod.restoreParam("nope", replacement)).isFalse();
    assertThat(mod.b).isSameAs(replacement);
  }

  @Test
  void interceptVariables_suppliesValuesForVariablesNotYetCreated() {
    var mlp = new MyMLP(4, 2);
    List<String> seen = new ArrayList<>();
    mlp.interceptVariables(
        (VariableSpec spec) -> {
          seen.add(spec.path());
          return spec.name().equals("b") ? Tensor.full(spec.dtype(), 3, spec.shape().dims()) : null;
        });

    mlp.call(Tensor.ones(DType.FLOAT32, 1, 3));

    assertThat(seen)
        .containsExactly(
            "my_mlp/x_to_h/w", "my_mlp/x_to_h/b", "my_mlp/h_to_o/w", "my_mlp/h_to_o/b");
    assertThat(mlp.xToH.b.peek().toFloatArray()).containsOnly(3f);
  }
}

package dev.sonnet.samples.modules;

import dev.sonnet.module.Module;

/** A parent with two children of the same class, for the numbering tests. */
final class TwoChildren extends Module {
  final MyLinear first = new MyLinear(3);
  final MyLinear second = new MyLinear(3);
}

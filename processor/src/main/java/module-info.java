/**
 * The annotation processor: reads {@code @Param}, {@code @Build}, {@code @Settings} and
 * {@code @Transposable} at compile time and writes each module's meta and builder. It knows the
 * API's types by name only, so it needs nothing of the API at run time.
 */
module dev.sonnet.processor {
  requires java.compiler;
  requires jdk.compiler;
  requires com.squareup.javapoet;
  requires static com.google.auto.service;

  provides javax.annotation.processing.Processor with
      dev.sonnet.processor.ModuleProcessor;
}

package dev.sonnet;

/**
 * What to say when a fat jar (maven-shade, Gradle shadow, an uber-jar) has lost a {@code
 * META-INF/services} file: such tools keep the first file of a name they meet unless told to merge
 * them, so the service entries of every other jar vanish while their classes stay.
 *
 * <p>The library's own module metadata does not depend on service files (the API registers its
 * generated metas statically), and an application's single service file survives any merge; what
 * can be lost is the entries of a second jar that registers the same service: a second library of
 * Sonnet modules, or one of the two runtimes when both are packed. Those losses are detected (the
 * class is present, its registration is not) and reported with this hint.
 */
public final class FatJars {
  /** The maven-shade transformer that merges service files instead of keeping the first. */
  public static final String SHADE_TRANSFORMER =
      "org.apache.maven.plugins.shade.resource.ServicesResourceTransformer";

  private FatJars() {}

  /**
   * The fix for a lost {@code META-INF/services/<service>} file, naming the maven-shade
   * transformer, Gradle shadow's setting and the assembly plugin's handler.
   */
  public static String fix(String service) {
    return "its META-INF/services/"
        + service
        + " entry was lost when the jars were merged into one (a fat jar keeps one file of each name"
        + " unless told to merge them). Merge the service files: with maven-shade-plugin add"
        + " <transformers><transformer implementation=\""
        + SHADE_TRANSFORMER
        + "\"/></transformers> to its configuration; with Gradle's shadow plugin, mergeServiceFiles();"
        + " with maven-assembly-plugin, a <containerDescriptorHandler> of handlerName"
        + " metaInf-services.";
  }
}

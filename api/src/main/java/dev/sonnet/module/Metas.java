package dev.sonnet.module;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Finds the generated {@link ModuleMeta} of a module class through {@link ServiceLoader}: the
 * processor lists every meta it writes in {@code META-INF/services}. Each class loader is scanned
 * once; the chain of metas of a class is computed once per class.
 */
final class Metas {
  private static final Map<Class<?>, ModuleMeta<?>> REGISTRY = new ConcurrentHashMap<>();
  private static final Set<ClassLoader> SCANNED = ConcurrentHashMap.newKeySet();
  private static final int MAX_BROKEN_ENTRIES = 10_000;

  private static final ClassValue<Chain> CHAINS =
      new ClassValue<>() {
        @Override
        protected Chain computeValue(Class<?> type) {
          return Chain.of(type);
        }
      };

  private Metas() {}

  /** The metas of {@code type} and its module superclasses. */
  static Chain chain(Class<?> type) {
    return CHAINS.get(type);
  }

  static ModuleMeta<?> find(Class<?> type) {
    ModuleMeta<?> meta = REGISTRY.get(type);
    if (meta != null) {
      return meta;
    }
    scanOnce(type.getClassLoader());
    scanOnce(Thread.currentThread().getContextClassLoader());
    return REGISTRY.get(type);
  }

  /**
   * The meta of the module class named {@code className} (fully qualified), among those the class
   * loaders of this library and of the current thread register; null if none does. The name is only
   * compared, never loaded, so a configuration from a file cannot make us load a class.
   */
  static ModuleMeta<?> findByName(String className) {
    for (ClassLoader loader :
        new ClassLoader[] {
          Metas.class.getClassLoader(), Thread.currentThread().getContextClassLoader()
        }) {
      scanOnce(loader);
    }
    for (ModuleMeta<?> meta : REGISTRY.values()) {
      if (meta.moduleClass().getName().equals(className)) {
        return meta;
      }
    }
    return null;
  }

  /**
   * Scans {@code loader} unless done. A loader counts as scanned only once its scan has finished,
   * and scans are serialised, so a thread that finds a module's first call racing another thread's
   * (replicas building one model at once) waits for the metas instead of missing them.
   */
  private static void scanOnce(ClassLoader loader) {
    if (loader == null || SCANNED.contains(loader)) {
      return;
    }
    synchronized (SCANNED) {
      if (!SCANNED.contains(loader)) {
        scan(loader);
        SCANNED.add(loader);
      }
    }
  }

  @SuppressWarnings("rawtypes")
  private static void scan(ClassLoader loader) {
    Iterator<ModuleMeta> it = ServiceLoader.load(ModuleMeta.class, loader).iterator();
    for (int broken = 0; broken < MAX_BROKEN_ENTRIES; ) {
      try {
        if (!it.hasNext()) {
          return;
        }
        ModuleMeta<?> meta = it.next();
        REGISTRY.putIfAbsent(meta.moduleClass(), meta);
      } catch (ServiceConfigurationError e) {
        broken++; // a stale entry (a class deleted since the last full build): skip it
      }
    }
  }

  /** The metas of one class hierarchy, topmost module class first, and its build methods. */
  static final class Chain {
    final List<ModuleMeta<Module>> metas;

    /** The most derived class's meta, or null if it has none. */
    final ModuleMeta<Module> own;

    /** Classes of the hierarchy compiled without the processor, or empty. */
    final List<String> missing;

    final String[] buildNames;
    final int[] buildMeta;
    final int[] buildLocal;

    private Chain(List<ModuleMeta<Module>> metas, ModuleMeta<Module> own, List<String> missing) {
      this.metas = metas;
      this.own = own;
      this.missing = missing;
      List<String> names = new ArrayList<>();
      List<int[]> where = new ArrayList<>();
      for (int m = 0; m < metas.size(); m++) {
        String[] b = metas.get(m).buildMethods();
        for (int i = 0; i < b.length; i++) {
          names.add(b[i]);
          where.add(new int[] {m, i});
        }
      }
      this.buildNames = names.toArray(String[]::new);
      this.buildMeta = where.stream().mapToInt(w -> w[0]).toArray();
      this.buildLocal = where.stream().mapToInt(w -> w[1]).toArray();
    }

    @SuppressWarnings("unchecked")
    static Chain of(Class<?> type) {
      List<ModuleMeta<Module>> metas = new ArrayList<>();
      List<String> missing = new ArrayList<>();
      ModuleMeta<Module> own = null;
      for (Class<?> c = type; c != null && c != Module.class; c = c.getSuperclass()) {
        ModuleMeta<Module> meta = (ModuleMeta<Module>) find(c);
        if (meta == null) {
          missing.add(0, c.getName());
        } else {
          metas.add(0, meta);
        }
        if (c == type) {
          own = meta;
        }
      }
      return new Chain(List.copyOf(metas), own, List.copyOf(missing));
    }

    /** Throws the teaching error if part of the hierarchy has no generated meta. */
    void requireComplete(Module module) {
      if (missing.isEmpty()) {
        return;
      }
      String cls = missing.get(missing.size() - 1);
      String simple = cls.substring(cls.lastIndexOf('.') + 1).replace('$', '_');
      throw new ModuleException(
          module.getClass().getSimpleName()
              + " cannot list its variables,"
              + " submodules or repr: "
              + String.join(", ", missing)
              + " has no generated "
              + simple
              + "_Meta, so it was compiled without the Sonnet annotation processor. Add it"
              + " to maven-compiler-plugin: <annotationProcessorPaths><path><groupId>dev.sonnet"
              + "</groupId><artifactId>sonnet-processor</artifactId><version>${sonnet.version}"
              + "</version></path></annotationProcessorPaths> (javac: -processorpath"
              + " sonnet-processor.jar). Anonymous and local classes cannot be modules: make it a"
              + " top-level or static nested class.");
    }
  }
}

package io.bemi.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The Java agent defines the context API and the wrappers beside whatever pgjdbc an application
 * has, in any class loader: their bytecode may name only {@code java.*} and {@code io.bemi.*}
 * classes. (The servlet filter is separate: it is only loaded by applications that use it.)
 */
class ClassLoaderIndependenceTest {

  @Test
  void theContextApiAndTheWrappersReferenceOnlyJavaAndBemiClasses() throws IOException, URISyntaxException {
    Path classes = Path.of(BemiJdbc.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    List<Path> classFiles;
    try (Stream<Path> files = Files.walk(classes.resolve("io/bemi"))) {
      classFiles = files.filter(p -> p.toString().endsWith(".class"))
          .filter(p -> !p.toString().contains("/servlet/"))
          .toList();
    }
    assertThat(classFiles).hasSizeGreaterThan(15);
    for (Path file : classFiles) {
      String constants;
      try (InputStream in = Files.newInputStream(file)) {
        constants = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
      }
      assertThat(constants).as(file.toString())
          .doesNotContain("org/postgresql")
          .doesNotContain("jakarta/")
          .doesNotContain("javax/servlet")
          .doesNotContain("org/slf4j");
    }
  }
}

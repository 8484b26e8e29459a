package io.bemi.agent.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobContextTest {

  @Test
  void theMainClassIsTheFirstWordOfTheCommand() {
    assertThat(JobContext.mainClass("com.example.App --port 8080")).isEqualTo("com.example.App");
  }

  @Test
  void aModularMainClassDropsItsModule() {
    assertThat(JobContext.mainClass("com.example.app/com.example.App")).isEqualTo("com.example.App");
  }

  @Test
  void anExecutableJarGivesItsSpringBootStartClassOverItsMainClass(@TempDir Path dir) throws Exception {
    Path jar = dir.resolve("app.jar");
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, "org.springframework.boot.loader.launch.JarLauncher");
    manifest.getMainAttributes().putValue("Start-Class", "com.example.ShopApplication");
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest)) {
      out.flush();
    }

    assertThat(JobContext.mainClass(jar + " --spring.profiles.active=prod")).isEqualTo("com.example.ShopApplication");
  }

  @Test
  void anUnknownCommandGivesNoMainClass() {
    assertThat(JobContext.mainClass(null)).isNull();
    assertThat(JobContext.mainClass(" ")).isNull();
  }
}

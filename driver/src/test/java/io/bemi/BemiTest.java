package io.bemi;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

@SuppressWarnings("try") // scopes are only closed
class BemiTest {

  @AfterEach
  void clear() {
    Bemi.clearContext();
  }

  @Test
  void setContextReplacesTheWholeContext() {
    Bemi.setContext(Map.of("user", "ann"));
    Bemi.setContext(Map.of("job", "nightly"));
    assertThat(Bemi.getContext()).containsExactly(Map.entry("job", "nightly"));
  }

  @Test
  void mergeContextAddsAndReplacesKeys() {
    Bemi.setContext(ordered("user", "ann", "endpoint", "/a"));
    Bemi.mergeContext(ordered("endpoint", "/b", "job", "x"));
    assertThat(Bemi.snapshot().json()).isEqualTo("{\"user\":\"ann\",\"endpoint\":\"/b\",\"job\":\"x\"}");
  }

  @Test
  void clearContextLeavesAnEmptyContext() {
    Bemi.setContext(Map.of("user", "ann"));
    Bemi.clearContext();
    assertThat(Bemi.getContext()).isEmpty();
    assertThat(Bemi.snapshot().isEmpty()).isTrue();
  }

  @Test
  void withContextRestoresThePreviousContextWhenClosed() {
    Bemi.setContext(Map.of("user", "ann"));
    try (Bemi.Scope scope = Bemi.withContext(Map.of("user", "bob"))) {
      assertThat(Bemi.getContext()).containsEntry("user", "bob");
      try (Bemi.Scope inner = Bemi.withMergedContext(Map.of("job", "x"))) {
        assertThat(Bemi.getContext()).containsEntry("user", "bob").containsEntry("job", "x");
      }
      assertThat(Bemi.getContext()).doesNotContainKey("job");
    }
    assertThat(Bemi.getContext()).containsExactly(Map.entry("user", "ann"));
  }

  @Test
  void withContextRestoresNoContextWhenThereWasNone() {
    try (Bemi.Scope scope = Bemi.withContext(Map.of("user", "bob"))) {
      assertThat(Bemi.getContext()).isNotEmpty();
    }
    assertThat(Bemi.getContext()).isEmpty();
  }

  @Test
  void theContextIsRenderedWhenSetSoLaterChangesToTheMapAreNotSeen() {
    Map<String, Object> mutable = new HashMap<>();
    mutable.put("user", "ann");
    Bemi.setContext(mutable);
    mutable.put("user", "eve");
    assertThat(Bemi.snapshot().json()).isEqualTo("{\"user\":\"ann\"}");
    assertThat(Bemi.getContext()).containsEntry("user", "ann");
  }

  @Test
  void theContextBelongsToOneThread() throws Exception {
    Bemi.setContext(Map.of("user", "ann"));
    ExecutorService executor = Executors.newSingleThreadExecutor();
    try {
      assertThat(executor.submit(() -> Bemi.getContext()).get()).isEmpty();
    } finally {
      executor.shutdown();
    }
  }

  @Test
  void wrappedTasksRunWithTheContextOfTheThreadThatWrappedThem() throws Exception {
    Bemi.setContext(Map.of("user", "ann"));
    ExecutorService executor = Executors.newSingleThreadExecutor();
    try {
      Callable<Map<String, Object>> task = Bemi.wrap(() -> Bemi.getContext());
      Bemi.setContext(Map.of("user", "later"));
      assertThat(executor.submit(task).get()).containsExactly(Map.entry("user", "ann"));
      assertThat(executor.submit(() -> Bemi.getContext()).get()).as("the worker's own context is back").isEmpty();
    } finally {
      executor.shutdown();
    }
  }

  @Test
  void jsonWithAddsTheStatementText() {
    Bemi.setContext(Map.of("user", "ann"));
    assertThat(Bemi.snapshot().jsonWith("SQL", "UPDATE t SET a = 'x'"))
        .isEqualTo("{\"user\":\"ann\",\"SQL\":\"UPDATE t SET a = 'x'\"}");
  }

  private static Map<String, Object> ordered(Object... keysAndValues) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      map.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return map;
  }
}

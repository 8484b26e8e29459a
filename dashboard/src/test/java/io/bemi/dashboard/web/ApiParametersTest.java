package io.bemi.dashboard.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The parameters the API accepts are the ones docs/dashboard-openapi.yaml documents, route by route. */
class ApiParametersTest {

  @Test
  void everyRouteTakesExactlyTheParametersTheOpenApiDocumentLists() throws Exception {
    JsonNode api = new ObjectMapper(new YAMLFactory()).readTree(Path.of("../docs/dashboard-openapi.yaml").toFile());
    Map<String, Set<String>> documented = new TreeMap<>();
    api.get("paths").fields().forEachRemaining(path -> path.getValue().fields().forEachRemaining(operation -> {
      if (operation.getKey().equals("parameters")) {
        return;
      }
      Set<String> names = new TreeSet<>();
      for (JsonNode list : new JsonNode[] {path.getValue().get("parameters"), operation.getValue().get("parameters")}) {
        if (list == null) {
          continue;
        }
        for (JsonNode parameter : list) {
          if (parameter.has("$ref")) {
            parameter = api.at(parameter.get("$ref").asText().substring(1));
          }
          if (parameter.get("in").asText().equals("query")) {
            names.add(parameter.get("name").asText());
          }
        }
      }
      String route = operation.getKey().toUpperCase() + " " + path.getKey().replace("{xid}", "{id}");
      documented.put(route, names);
    }));

    Map<String, Set<String>> accepted = new TreeMap<>();
    ApiParameters.BY_ROUTE.forEach((route, names) -> {
      Set<String> sorted = new TreeSet<>(names);
      sorted.remove("csrf"); // the session cookie's CSRF field (Security), not an API parameter
      accepted.put(route, sorted);
    });
    assertThat(accepted).isEqualTo(documented);
  }
}

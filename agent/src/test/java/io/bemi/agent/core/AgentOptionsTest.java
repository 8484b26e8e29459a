package io.bemi.agent.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AgentOptionsTest {

  @Test
  void withoutArgumentsEveryFieldIsRecordedAndTheRequestIdComesFromXRequestId() {
    AgentOptions options = AgentOptions.parse(null, Map.of());

    assertThat(options.fields()).containsExactlyInAnyOrder("method", "endpoint", "user", "requestId", "traceId", "thread", "mainClass");
    assertThat(options.requestIdHeader()).isEqualTo("X-Request-Id");
    assertThat(options.traceHeader()).isEqualTo("traceparent");
    assertThat(options.excludePaths()).isEmpty();
    assertThat(options.driverProperties()).isEmpty();
    assertThat(options.logLevel()).isEqualTo(System.Logger.Level.INFO);
  }

  @Test
  void theAgentArgumentListsValuesSeparatedByColons() {
    AgentOptions options = AgentOptions.parse("fields=method:user,excludePaths=/health:/actuator/**,requestIdHeader=X-Correlation-Id", Map.of());

    assertThat(options.fields()).containsExactlyInAnyOrder("method", "user");
    assertThat(options.excludePaths()).containsExactly("/health", "/actuator/**");
    assertThat(options.requestIdHeader()).isEqualTo("X-Correlation-Id");
  }

  @Test
  void theArgumentOverridesTheEnvironmentKeyByKey() {
    AgentOptions options = AgentOptions.parse("logLevel=debug",
        Map.of("BEMI_AGENT_LOG_LEVEL", "ERROR", "BEMI_AGENT_REQUEST_ID_HEADER", "X-Trace"));

    assertThat(options.logLevel()).isEqualTo(System.Logger.Level.DEBUG);
    assertThat(options.requestIdHeader()).isEqualTo("X-Trace");
  }

  @Test
  void driverOptionsBecomeBemiConnectionProperties() {
    AgentOptions options = AgentOptions.parse("includeSql=true,maxContextBytes=2000", Map.of());

    assertThat(options.driverProperties()).containsEntry("bemi.includeSql", "true").containsEntry("bemi.maxContextBytes", "2000");
  }

  @Test
  void aBadValueOfADriverOptionStopsTheAgentAtStartNotTheFirstConnection() {
    assertThatThrownBy(() -> AgentOptions.parse("maxContextBytes=abc", Map.of()))
        .hasMessage("Option maxContextBytes must be a positive number of bytes, got 'abc'");
    assertThatThrownBy(() -> AgentOptions.parse("maxContextBytes=0", Map.of())).hasMessageContaining("positive number");
    assertThatThrownBy(() -> AgentOptions.parse("", Map.of("BEMI_AGENT_CONTEXT_FOR", "some")))
        .hasMessage("Option contextFor must be writes or all, got 'some'");
    assertThatThrownBy(() -> AgentOptions.parse("includeSql=maybe", Map.of())).hasMessageContaining("true or false");
    assertThat(AgentOptions.parse("includeSql=on,maxContextBytes=64_000,contextFor=ALL", Map.of()).driverProperties())
        .containsEntry("bemi.includeSql", "on").containsEntry("bemi.maxContextBytes", "64_000")
        .containsEntry("bemi.contextFor", "ALL");
  }

  @Test
  void environmentNamesAreTheKeysInUpperSnakeCase() {
    assertThat(List.of("fields", "requestIdHeader", "excludePaths").stream().map(AgentOptions::environmentName))
        .containsExactly("BEMI_AGENT_FIELDS", "BEMI_AGENT_REQUEST_ID_HEADER", "BEMI_AGENT_EXCLUDE_PATHS");
  }

  @Test
  void anUnknownOptionIsRejectedWithTheKnownOnes() {
    assertThatThrownBy(() -> AgentOptions.parse("feilds=method", Map.of()))
        .hasMessageContaining("Unknown agent option 'feilds'").hasMessageContaining("fields");
  }

  @Test
  void anUnknownFieldIsRejected() {
    assertThatThrownBy(() -> AgentOptions.parse("fields=method:ip", Map.of())).hasMessageContaining("Unknown field 'ip'");
  }

  @Test
  void aBadBooleanIsRejected() {
    assertThatThrownBy(() -> AgentOptions.parse("enabled=yes", Map.of())).hasMessageContaining("enabled must be true or false");
  }
}

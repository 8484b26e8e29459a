package io.bemi.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.bemi.test.TestDatabase;
import io.bemi.test.Wal;
import io.bemi.test.WithPostgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Context an application sets in a servlet filter, before the agent's capture, is kept and wins. */
@WithPostgres
@Tag("replication")
class FilterContextIT {

  @Test
  void entriesAFilterSetBeforeTheServletWinOverTheAutomaticOnes(TestDatabase db) throws Exception {
    db.execute("CREATE TABLE events(id bigserial PRIMARY KEY, kind text NOT NULL)");
    Wal wal = Wal.open(db);
    try (ChildJvm app = ChildJvm.start(ChildJvm.Launch.withAgent(""), "com.example.tenant.TenantApp", db.jdbcUrl(), db.user(), db.password())) {
      int port = Integer.parseInt(app.awaitLine("LISTENING ", Duration.ofSeconds(60)).trim());
      HttpResponse<String> response = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/tenants/acme/events"))
              .header("X-Tenant", "acme").header("X-Request-Id", "req-tenant")
              .POST(HttpRequest.BodyPublishers.ofString("signed-up")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).as(app.output()).isEqualTo(201);
    }

    assertThat(wal.changes()).singleElement().extracting(Wal.Change::context).asString()
        .contains("\"tenant\":\"acme\"", "\"user\":\"api-key-7\"", "\"method\":\"POST\"",
            "\"endpoint\":\"/tenants/{tenant}/events\"", "\"requestId\":\"req-tenant\"")
        .doesNotContain("thread");
  }
}

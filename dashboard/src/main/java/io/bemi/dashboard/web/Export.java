package io.bemi.dashboard.web;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bemi.dashboard.changes.BadRequestException;
import io.bemi.dashboard.changes.ChangeFilter;
import io.bemi.dashboard.changes.ChangeRepository;
import io.bemi.history.Change;
import io.bemi.sql.Lsn;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/**
 * Streams every change matching a filter as CSV or a JSON array, row by row from a database
 * cursor, so an export of any size needs constant memory. JSON columns are copied as stored.
 */
final class Export {

  /** Column order of both formats; {@link #cells} gives a change's values in this order. */
  private static final List<String> HEADER = List.of("id", "database", "schema", "table", "primary_key", "operation",
      "before", "after", "context", "committed_at", "queued_at", "created_at", "transaction_id", "position",
      "commit_lsn", "change_index", "source");

  enum Format {
    CSV("text/csv; charset=utf-8", "csv"), JSON("application/json", "json");

    final String contentType;
    final String extension;

    Format(String contentType, String extension) {
      this.contentType = contentType;
      this.extension = extension;
    }

    static Format parse(String text) {
      if (text == null || text.isBlank() || text.equalsIgnoreCase("csv")) {
        return CSV;
      }
      if (text.equalsIgnoreCase("json")) {
        return JSON;
      }
      throw new BadRequestException("format '" + text + "' is not offered; use csv or json");
    }
  }

  private final ChangeRepository changes;
  private final ObjectMapper json;

  Export(ChangeRepository changes, ObjectMapper json) {
    this.changes = changes;
    this.json = json;
  }

  void write(ChangeFilter filter, Format format, OutputStream out) throws IOException {
    try {
      if (format == Format.CSV) {
        writeCsv(filter, out);
      } else {
        writeJson(filter, out);
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  private void writeCsv(ChangeFilter filter, OutputStream out) throws IOException {
    Writer w = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 64 * 1024);
    w.write(String.join(",", HEADER));
    w.write("\r\n");
    changes.stream(filter, c -> {
      try {
        List<String> cells = cells(c);
        for (int i = 0; i < cells.size(); i++) {
          if (i > 0) {
            w.write(',');
          }
          w.write(csvCell(cells.get(i)));
        }
        w.write("\r\n");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
    w.flush();
  }

  private void writeJson(ChangeFilter filter, OutputStream out) throws IOException {
    JsonGenerator gen = json.getFactory().createGenerator(out, JsonEncoding.UTF8);
    gen.writeStartArray();
    changes.stream(filter, c -> {
      try {
        gen.writeStartObject();
        List<String> cells = cells(c);
        for (int i = 0; i < cells.size(); i++) {
          String name = HEADER.get(i);
          if (i >= 6 && i <= 8) {
            gen.writeFieldName(name);
            gen.writeRawValue(cells.get(i)); // stored JSON as is: every digit kept, no re-parse
          } else if (i == 12 || i == 15) {
            gen.writeNumberField(name, Long.parseLong(cells.get(i)));
          } else {
            gen.writeStringField(name, cells.get(i));
          }
        }
        gen.writeEndObject();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
    gen.writeEndArray();
    gen.flush();
  }

  /** A change's values as text, in {@link #HEADER} order; LSNs in PostgreSQL's form. */
  private static List<String> cells(Change c) {
    return Arrays.asList(c.id().toString(), c.database(), c.schema(), c.table(), c.primaryKey(), c.operation().name(),
        c.before(), c.after(), c.context(), text(c.committedAt()), text(c.queuedAt()), text(c.createdAt()),
        Long.toString(c.transactionId()), Lsn.text(c.position()), Lsn.text(c.commitLsn()),
        Integer.toString(c.changeIndex()), c.source());
  }

  private static String text(Instant at) {
    return at == null ? null : at.toString();
  }

  /**
   * RFC 4180 quoting; a cell a spreadsheet would run as a formula (starts with = + @ or a tab /
   * carriage return, or - not followed by a number) gets a leading apostrophe.
   */
  static String csvCell(String value) {
    if (value == null) {
      return "";
    }
    String v = value;
    if (!v.isEmpty()) {
      char first = v.charAt(0);
      boolean formula = first == '=' || first == '+' || first == '@' || first == '\t' || first == '\r'
          || (first == '-' && !v.matches("-[0-9.]+"));
      if (formula) {
        v = "'" + v;
      }
    }
    if (v.indexOf(',') >= 0 || v.indexOf('"') >= 0 || v.indexOf('\n') >= 0 || v.indexOf('\r') >= 0 || !v.equals(value)) {
      return "\"" + v.replace("\"", "\"\"") + "\"";
    }
    return v;
  }
}

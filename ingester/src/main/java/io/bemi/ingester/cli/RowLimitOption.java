package io.bemi.ingester.cli;

import io.bemi.ingester.IngesterConfig;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Option;

/** {@code --max-row-bytes}, shared by {@code run} (the stream) and {@code setup --snapshot} (the baseline). */
final class RowLimitOption {

  private static final Logger LOG = LoggerFactory.getLogger(RowLimitOption.class);
  private static final long MIN_ROW_BYTES = 1024;
  private static final Pattern SIZE = Pattern.compile("(?i)(\\d{1,12})\\s*(k|m|g)?(i?b)?");

  @Option(names = "--max-row-bytes", defaultValue = "${env:BEMI_MAX_ROW_BYTES:-auto}", paramLabel = "SIZE",
      description = "A row whose JSON would be larger keeps its largest values as their size and SHA-256 (the "
          + "fallback form {\"_bemi_unparsed\": {\"bytes\": …, \"sha256\": …}}) until the rest fits, so no row "
          + "can exhaust the ingester's heap; a size in bytes (or 64MB, 1GB), 0 = no limit. Default: auto, a "
          + "sixteenth of the heap (-Xmx); with --sink kafka at most what fits in a record. Env: BEMI_MAX_ROW_BYTES.")
  String maxRowBytes;

  /** The limit in bytes (0: none) for this sink, logged. */
  long bytes(SinkOptions sink, int maxContextBytes, String configFile) {
    long limit = sink.rowLimit(parse(maxRowBytes), maxContextBytes, configFile);
    long heap = Runtime.getRuntime().maxMemory();
    if (limit == 0) {
      LOG.warn("--max-row-bytes 0: no limit on a row's size; a row of more than about a quarter of the heap ({} MB) "
          + "stops the ingester with OutOfMemoryError at its transaction until it is given more", heap >> 20);
    } else if (limit > heap / 4) {
      LOG.warn("--max-row-bytes {} is more than a quarter of the heap ({} MB): a row that large may not fit, and stops "
          + "the ingester at its transaction; give it a heap (-Xmx) of 16 times the limit", limit, heap >> 20);
    } else {
      LOG.info("Rows larger than {} bytes as JSON keep their largest values as size and SHA-256 (--max-row-bytes, "
          + "heap {} MB)", limit, heap >> 20);
    }
    return limit;
  }

  /** auto, 0 (no limit) or a size such as 16777216, 64MB, 1GB (powers of 1024). */
  static long parse(String text) {
    String value = text == null ? "" : text.strip();
    if (value.isEmpty() || value.equalsIgnoreCase("auto")) {
      return IngesterConfig.defaultMaxRowBytes();
    }
    Matcher m = SIZE.matcher(value);
    if (m.matches() && (m.group(2) != null || m.group(3) == null || m.group(3).equalsIgnoreCase("b"))) {
      long bytes = Long.parseLong(m.group(1)) << switch (m.group(2) == null ? "" : m.group(2).toLowerCase()) {
        case "k" -> 10;
        case "m" -> 20;
        case "g" -> 30;
        default -> 0;
      };
      if (bytes == 0 || bytes >= MIN_ROW_BYTES) {
        return bytes;
      }
    }
    throw new IllegalArgumentException("--max-row-bytes must be auto (a sixteenth of the heap), 0 (no limit) or a size "
        + "of at least " + MIN_ROW_BYTES + " bytes such as 67108864, 64MB or 1GB, not '" + text + "'");
  }
}

package io.bemi.ingester.values;

import java.util.Arrays;

/**
 * {@code --max-row-bytes}: which values of a row to keep as their size and SHA-256
 * ({@link JsonValues#appendTooLarge}) so that the row's JSON fits. The stream and the baseline
 * snapshot decide alike: first on the values' text (a row's JSON is at least that large, so a value
 * over the limit is never rendered), then on the rendered JSON in UTF-8 bytes, the largest values
 * first each time.
 */
public final class RowLimit {

  private RowLimit() {}

  /** Room a value kept as its size and hash takes in a row, for sizing the row's builder. */
  private static final int PLACEHOLDER_CHARS = 640;

  /**
   * A builder for a row's JSON, holding its opening brace, with room for every value ({@code
   * lengths}, a placeholder's for those in {@code tooLarge}): a wide value is then not copied again
   * at each doubling.
   */
  public static StringBuilder newRow(long[] lengths, boolean[] tooLarge) {
    long capacity = 64 + 24L * lengths.length;
    for (int i = 0; i < lengths.length; i++) {
      capacity += tooLarge != null && tooLarge[i] ? PLACEHOLDER_CHARS : lengths[i];
    }
    return new StringBuilder((int) Math.min(capacity, Integer.MAX_VALUE - 16)).append('{');
  }

  /** The {@code problem} of a value kept as its size and hash. */
  public static String problem(long limit) {
    return "its row is larger than --max-row-bytes (" + limit + "): this value is kept as its size and SHA-256";
  }

  /**
   * Which of {@code sizes} to leave out, largest first, until the rest adds up to at most {@code
   * limit}; null when they fit as they are (or {@code limit} is 0, no limit).
   */
  public static boolean[] largestFirst(long[] sizes, long limit) {
    if (limit <= 0) {
      return null;
    }
    long total = 0;
    for (long size : sizes) {
      total += size;
    }
    if (total <= limit) {
      return null;
    }
    Integer[] bySize = new Integer[sizes.length];
    for (int i = 0; i < sizes.length; i++) {
      bySize[i] = i;
    }
    Arrays.sort(bySize, (a, b) -> Long.compare(sizes[b], sizes[a]));
    boolean[] chosen = new boolean[sizes.length];
    for (int i = 0; i < bySize.length && total > limit && sizes[bySize[i]] > 0; i++) {
      chosen[bySize[i]] = true;
      total -= sizes[bySize[i]];
    }
    return chosen;
  }

  /**
   * After rendering: which further values to leave out so the row's JSON fits in UTF-8 bytes; null
   * when it fits. {@code ends[i]} is where value i's text (separator, name and JSON) ends in {@code
   * json}; values already left out ({@code tooLarge}) stay so, and are in the result.
   */
  public static boolean[] afterRendering(CharSequence json, int[] ends, boolean[] tooLarge, long limit) {
    if (limit <= 0 || json.length() * 3L <= limit) {
      return null; // at most three UTF-8 bytes per char: it fits
    }
    long fixed = 2; // the braces, and the values already left out
    long[] rendered = new long[ends.length];
    for (int i = 0, start = 1; i < ends.length; start = ends[i++]) {
      long bytes = utf8Length(json, start, ends[i]);
      if (tooLarge != null && tooLarge[i]) {
        fixed += bytes;
      } else {
        rendered[i] = bytes;
      }
    }
    boolean[] more = largestFirst(rendered, limit - fixed);
    if (more != null && tooLarge != null) {
      for (int i = 0; i < more.length; i++) {
        more[i] |= tooLarge[i];
      }
    }
    return more;
  }

  /** UTF-8 bytes of {@code text} from {@code start} to {@code end}. */
  public static long utf8Length(CharSequence text, int start, int end) {
    long bytes = 0;
    for (int i = start; i < end; i++) {
      char c = text.charAt(i);
      bytes += c < 0x80 ? 1 : c < 0x800 || Character.isSurrogate(c) ? 2 : 3; // a surrogate pair: 4
    }
    return bytes;
  }
}

package io.bemi.agent.hooks;

/**
 * Per-thread nesting counters, so that only the outermost of nested intercepted calls acts (a data
 * source calling {@code Driver.connect}, a servlet calling {@code super.service}).
 */
public final class CallDepth {

  public static final int CONNECTION = 0;
  public static final int REQUEST = 1;
  private static final int KINDS = 2;

  private static final ThreadLocal<int[]> DEPTHS = new ThreadLocal<>() {
    @Override
    protected int[] initialValue() {
      return new int[KINDS];
    }
  };

  private CallDepth() {}

  /** Enters one level; returns the depth before entering (0 for the outermost call). */
  public static int enter(int kind) {
    return DEPTHS.get()[kind]++;
  }

  /** Leaves one level; returns the depth after leaving (0 when the outermost call is leaving). */
  public static int exit(int kind) {
    int[] depths = DEPTHS.get();
    return depths[kind] > 0 ? --depths[kind] : 0;
  }
}

package io.bemi.ingester;

/** Command line of the ingester. Not built yet. */
public final class Main {

  private Main() {}

  public static void main(String[] args) {
    System.err.println("bemi-ingester is not implemented yet");
    System.exit(2);
  }
}

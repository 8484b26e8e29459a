package io.bemi.dashboard;

/** Command line of the dashboard. Not built yet. */
public final class Main {

  private Main() {}

  public static void main(String[] args) {
    System.err.println("bemi-dashboard is not implemented yet");
    System.exit(2);
  }
}

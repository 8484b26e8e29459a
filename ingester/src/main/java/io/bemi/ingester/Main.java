package io.bemi.ingester;

import io.bemi.ingester.cli.IngesterCommand;

/** {@code java -jar bemi-ingester.jar <setup|run|status|teardown> [options]}. */
public final class Main {

  private Main() {}

  public static void main(String[] args) {
    System.exit(IngesterCommand.execute(args));
  }
}

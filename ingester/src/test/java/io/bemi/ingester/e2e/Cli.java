package io.bemi.ingester.e2e;

import io.bemi.ingester.cli.IngesterCommand;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;

/** Runs the ingester's command line in this JVM, capturing what it prints. */
public final class Cli {

  public record Result(int exitCode, String out, String err) {}

  private Cli() {}

  public static Result run(String... args) {
    PrintStream originalOut = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    StringWriter err = new StringWriter();
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      CommandLine commandLine = IngesterCommand.commandLine();
      commandLine.setErr(new PrintWriter(err, true));
      commandLine.setOut(new PrintWriter(System.out, true));
      int code = IngesterCommand.execute(commandLine, args);
      return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString());
    } finally {
      System.setOut(originalOut);
    }
  }
}

package io.bemi.ingester.cli;

import picocli.CommandLine.Option;

/** {@code --warn-retained-wal-mb}, shared by {@code status} (prints the warning) and {@code run} (logs it). */
final class RetainedWalOption {

  @Option(names = "--warn-retained-wal-mb", defaultValue = "${env:BEMI_WARN_RETAINED_WAL_MB:-1024}", paramLabel = "MB",
      description = "Warn when the slot retains more WAL than this. Default: ${DEFAULT-VALUE}. "
          + "Env: BEMI_WARN_RETAINED_WAL_MB.")
  long warnRetainedWalMb;
}

package io.bemi.demo;

import java.nio.file.Path;

/** The demo's options, as parsed from the command line. {@code dataDir} and {@code token} may be null. */
record DemoSettings(
    Path dataDir,
    long durationSeconds,
    String bind,
    int port,
    String token,
    int pgPort,
    double writesPerSecond,
    Path ingesterJar,
    Path dashboardJar) {}

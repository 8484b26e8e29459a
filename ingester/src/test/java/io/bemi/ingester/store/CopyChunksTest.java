package io.bemi.ingester.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CopyChunksTest {

  private final ByteArrayOutputStream received = new ByteArrayOutputStream();
  private final List<Integer> chunkSizes = new ArrayList<>();

  private CopyChunks chunks(int size) {
    return new CopyChunks(size, (bytes, length) -> {
      chunkSizes.add(length);
      received.write(bytes, 0, length);
    });
  }

  @Test
  void textIsEscapedForCopyAndEncodedAsUtf8() throws Exception {
    CopyChunks out = chunks(64);
    out.text("a\\b\tc\nd\re").tab().text(null).tab().text("é€😀").tab().ascii("UPDATE").tab().number(-42).newline();
    out.flush();
    assertThat(received.toString(StandardCharsets.UTF_8)).isEqualTo("a\\\\b\\tc\\nd\\re\t\\N\té€😀\tUPDATE\t-42\n");
  }

  @Test
  void aLoneSurrogateBecomesAQuestionMarkAsStringGetBytesDoes() throws Exception {
    CopyChunks out = chunks(64);
    String text = "x\uD800y\uDC00z\uD83D";
    out.text(text);
    out.flush();
    assertThat(received.toByteArray()).isEqualTo(text.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void anyTextEncodesAsItsEscapedUtf8WhateverTheChunkBoundaries() throws Exception {
    Random random = new Random(7);
    char[] alphabet = "ab\\\t\n\ré€\u07ff\u0800\uffff\uD83D\uDE00".toCharArray();
    for (int round = 0; round < 200; round++) {
      received.reset();
      StringBuilder text = new StringBuilder();
      for (int i = random.nextInt(300); i > 0; i--) {
        text.append(alphabet[random.nextInt(alphabet.length)]);
      }
      CopyChunks out = chunks(8 + random.nextInt(40));
      out.text(text.toString()).newline();
      out.flush();
      String expected = text.toString().replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
          .replace("\r", "\\r") + "\n";
      assertThat(received.toByteArray()).as("round %d", round).isEqualTo(expected.getBytes(StandardCharsets.UTF_8));
    }
  }

  @Test
  void aValueLargerThanTheChunkIsHandedOnInChunksNoLargerThanIt() throws Exception {
    CopyChunks out = chunks(1024);
    out.text("x".repeat(10_000)).newline();
    assertThat(chunkSizes).isNotEmpty().allSatisfy(size -> assertThat(size).isLessThanOrEqualTo(1024));
    out.flush();
    assertThat(received.size()).isEqualTo(10_001);
  }

  @Test
  void discardForgetsWhatWasNotHandedOn() throws Exception {
    CopyChunks out = chunks(64);
    out.text("dropped");
    out.discard();
    out.text("kept");
    out.flush();
    assertThat(received.toString(StandardCharsets.UTF_8)).isEqualTo("kept");
  }
}

package io.bemi.ingester.pgoutput;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Builds pgoutput messages byte by byte, as the server sends them, for decoder tests. */
final class WireBuilder {

  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final DataOutputStream out = new DataOutputStream(bytes);

  static WireBuilder message(char tag) {
    return new WireBuilder().byte1(tag);
  }

  WireBuilder byte1(int value) {
    return write(() -> out.writeByte(value));
  }

  WireBuilder int16(int value) {
    return write(() -> out.writeShort(value));
  }

  WireBuilder int32(int value) {
    return write(() -> out.writeInt(value));
  }

  WireBuilder int64(long value) {
    return write(() -> out.writeLong(value));
  }

  WireBuilder string(String value) {
    return write(() -> {
      out.write(value.getBytes(StandardCharsets.UTF_8));
      out.writeByte(0);
    });
  }

  WireBuilder bytes(byte[] value) {
    return write(() -> out.write(value));
  }

  /** A TupleData value of kind 't'. */
  WireBuilder text(String value) {
    byte[] data = value.getBytes(StandardCharsets.UTF_8);
    return byte1('t').int32(data.length).bytes(data);
  }

  ByteBuffer buffer() {
    return ByteBuffer.wrap(bytes.toByteArray());
  }

  private interface Write {
    void run() throws IOException;
  }

  private WireBuilder write(Write write) {
    try {
      write.run();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return this;
  }
}

package io.bemi.ingester.pgoutput;

/** The pgoutput message types the ingester reads, by the tag byte that starts each message. */
public enum MessageType {
  BEGIN('B'),
  COMMIT('C'),
  ORIGIN('O'),
  RELATION('R'),
  TYPE('Y'),
  INSERT('I'),
  UPDATE('U'),
  DELETE('D'),
  TRUNCATE('T'),
  MESSAGE('M');

  private static final MessageType[] BY_TAG = new MessageType[128];

  static {
    for (MessageType type : values()) {
      BY_TAG[type.tag] = type;
    }
  }

  private final char tag;

  MessageType(char tag) {
    this.tag = tag;
  }

  public char tag() {
    return tag;
  }

  /** The type for a tag byte, or null for a tag this decoder does not know (e.g. protocol v2 streaming). */
  static MessageType forTag(byte tag) {
    return tag >= 0 && tag < BY_TAG.length ? BY_TAG[tag] : null;
  }
}

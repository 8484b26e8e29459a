package io.bemi.ingester.sink.webhook;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The {@code Bemi-Signature} header: {@code t=<unix seconds>,v1=<hex HMAC-SHA256>} where the MAC
 * is over {@code <t>.<body>} with the shared secret. The timestamp is signed so a receiver can
 * refuse old requests (replays); a retry is signed anew with the time it is sent. Verification
 * snippets (Java, shell) are in docs/sinks.md.
 */
public final class WebhookSignature {

  public static final String HEADER = "Bemi-Signature";

  private WebhookSignature() {}

  public static String header(String secret, long unixSeconds, byte[] body) {
    return "t=" + unixSeconds + ",v1=" + hmacHex(secret, unixSeconds, body);
  }

  /** Whether {@code header} validly signs {@code body} and was made within {@code toleranceSeconds} of now. */
  public static boolean verify(String secret, String header, byte[] body, long nowSeconds, long toleranceSeconds) {
    long t = -1;
    String v1 = null;
    for (String part : header.split(",")) {
      if (part.startsWith("t=")) {
        try {
          t = Long.parseLong(part.substring(2));
        } catch (NumberFormatException e) {
          return false;
        }
      } else if (part.startsWith("v1=")) {
        v1 = part.substring(3);
      }
    }
    if (t < 0 || v1 == null || Math.abs(nowSeconds - t) > toleranceSeconds) {
      return false;
    }
    return MessageDigest.isEqual(hmacHex(secret, t, body).getBytes(StandardCharsets.US_ASCII),
        v1.getBytes(StandardCharsets.US_ASCII));
  }

  private static String hmacHex(String secret, long unixSeconds, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      mac.update((unixSeconds + ".").getBytes(StandardCharsets.US_ASCII));
      byte[] digest = mac.doFinal(body);
      StringBuilder hex = new StringBuilder(digest.length * 2);
      for (byte b : digest) {
        hex.append(Character.forDigit((b >> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
      }
      return hex.toString();
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
    }
  }
}

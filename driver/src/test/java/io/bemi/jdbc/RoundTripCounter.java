package io.bemi.jdbc;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy on loopback that counts network round trips between JDBC clients and PostgreSQL: a
 * round trip starts whenever the client sends after the server has spoken (or first). Bytes pass
 * through unchanged. Used by tests and the benchmark to show the driver adds no round trip.
 */
public final class RoundTripCounter implements AutoCloseable {

  private final String targetHost;
  private final int targetPort;
  private final ServerSocket listener;
  private final AtomicLong roundTrips = new AtomicLong();
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();

  public RoundTripCounter(String targetHost, int targetPort) throws IOException {
    this.targetHost = targetHost;
    this.targetPort = targetPort;
    this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::accept, "round-trip-counter-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** Rewrites {@code jdbc:…postgresql://host:port/db…} to go through this proxy. */
  public static RoundTripCounter forUrl(String jdbcUrl) throws IOException {
    int hostStart = jdbcUrl.indexOf("//") + 2;
    int pathStart = jdbcUrl.indexOf('/', hostStart);
    String hostPort = jdbcUrl.substring(hostStart, pathStart);
    int colon = hostPort.lastIndexOf(':');
    return new RoundTripCounter(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
  }

  /** {@code jdbcUrl} with its host and port replaced by this proxy's. */
  public String proxied(String jdbcUrl) {
    int hostStart = jdbcUrl.indexOf("//") + 2;
    int pathStart = jdbcUrl.indexOf('/', hostStart);
    return jdbcUrl.substring(0, hostStart) + "127.0.0.1:" + listener.getLocalPort() + jdbcUrl.substring(pathStart);
  }

  public long roundTrips() {
    return roundTrips.get();
  }

  private void accept() {
    while (!listener.isClosed()) {
      try {
        Socket client = listener.accept();
        client.setTcpNoDelay(true);
        Socket server = new Socket(targetHost, targetPort);
        server.setTcpNoDelay(true);
        sockets.add(client);
        sockets.add(server);
        Pair pair = new Pair();
        pump(client, server, pair, true);
        pump(server, client, pair, false);
      } catch (IOException e) {
        if (!listener.isClosed()) {
          throw new UncheckedIOException(e);
        }
      }
    }
  }

  /** Which side spoke last on one proxied connection. */
  private static final class Pair {
    boolean clientSpokeLast;
  }

  private void pump(Socket from, Socket to, Pair pair, boolean fromClient) {
    Thread thread = new Thread(() -> {
      byte[] buffer = new byte[65536];
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        int n;
        while ((n = in.read(buffer)) > 0) {
          synchronized (pair) {
            if (fromClient && !pair.clientSpokeLast) {
              roundTrips.incrementAndGet();
            }
            pair.clientSpokeLast = fromClient;
          }
          out.write(buffer, 0, n);
          out.flush();
        }
      } catch (IOException closed) {
        // one side hung up; closing both ends below ends the other pump too
      } finally {
        closeQuietly(from);
        closeQuietly(to);
      }
    }, "round-trip-counter-pump");
    thread.setDaemon(true);
    thread.start();
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException ignored) {
      // already closed
    }
  }

  @Override
  public void close() throws IOException {
    listener.close();
    for (Socket socket : sockets) {
      closeQuietly(socket);
    }
  }
}

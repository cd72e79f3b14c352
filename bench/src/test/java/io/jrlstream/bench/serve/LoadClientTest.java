package io.jrlstream.bench.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The load client's HTTP/1.1 connection: Content-Length and chunked bodies, Connection: close, bad answers. */
class LoadClientTest {
  private static final byte[] GET = "GET /x HTTP/1.1\r\nHost: h\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);

  /** Serves the given raw answers, one per request, each connection until an answer says close. */
  private static Thread serve(ServerSocket server, List<String> answers, List<String> requestLines) {
    Thread t = new Thread(() -> {
      int next = 0;
      try {
        while (next < answers.size()) {
          try (Socket s = server.accept()) {
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(),
                StandardCharsets.ISO_8859_1));
            OutputStream out = s.getOutputStream();
            while (next < answers.size()) {
              String first = in.readLine();
              if (first == null) {
                break;
              }
              requestLines.add(first);
              while (!in.readLine().isEmpty()) {
                // headers
              }
              String a = answers.get(next++);
              out.write(a.getBytes(StandardCharsets.ISO_8859_1));
              out.flush();
              if (a.contains("Connection: close")) {
                break;
              }
            }
          }
        }
      } catch (IOException e) {
        // the test fails on the client side
      }
    });
    t.setDaemon(true);
    t.start();
    return t;
  }

  @Test
  void shouldReadLengthAndChunkedBodiesAndReconnectAfterClose() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
      List<String> lines = new CopyOnWriteArrayList<>();
      Thread t = serve(server, List.of(
          "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
          "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\n\r\n",
          "HTTP/1.1 404 Not Found\r\ncontent-length: 2\r\nConnection: close\r\n\r\n{}",
          "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n"), lines);
      try (LoadClient.Connection c = new LoadClient.Connection(
          new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort()))) {
        assertEquals(200, c.exchange(GET));
        assertEquals(200, c.exchange(GET)); // chunked, read to its end: the next answer parses
        assertEquals(404, c.exchange(GET));
        assertEquals(503, c.exchange(GET)); // on a new connection
      }
      t.join(5000);
      assertEquals(4, lines.size());
    }
  }

  @Test
  void shouldRefuseAnAnswerThatIsNotHttp() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
      serve(server, List.of("SSH-2.0-OpenSSH\r\n\r\n"), new CopyOnWriteArrayList<>());
      try (LoadClient.Connection c = new LoadClient.Connection(
          new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort()))) {
        IOException e = assertThrows(IOException.class, () -> c.exchange(GET));
        assertEquals("not an HTTP/1.x status line: 'SSH-2.0-OpenSSH'", e.getMessage());
      }
    }
  }
}

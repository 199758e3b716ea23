"""Staging faults in tests: a Redis that stops answering, a database that goes
away, a courier that hangs.

`StallingProxy` stands between the platform and the test Redis or PostgreSQL.
`stall()` makes it behave like a server stopped with SIGSTOP: connections are still
accepted (the kernel does that), and nothing sent is answered until `resume()`.
`down()` behaves like a server that is stopped or restarting: open connections are
cut and new ones closed at once, until `up()`.
"""

import contextlib
import socket
import threading
from urllib.parse import urlsplit, urlunsplit


class StallingProxy:
    def __init__(self, url: str, *, unix_socket: str = ""):
        """A proxy to the server of `url` (or at `unix_socket`); `self.url` is
        `url` with the proxy's address."""
        parts = urlsplit(url)
        self._upstream = unix_socket or (parts.hostname, parts.port or 6379)
        self._server = socket.create_server(("127.0.0.1", 0))
        self.url = urlunsplit(
            parts._replace(netloc=f"127.0.0.1:{self._server.getsockname()[1]}")
        )
        self._flowing = threading.Event()
        self._flowing.set()
        self._sockets: list[socket.socket] = []
        self._closed = False
        self._down = False
        threading.Thread(target=self._accept, daemon=True).start()

    def down(self) -> None:
        self._down = True
        for sock in self._sockets:
            _cut(sock)

    def up(self) -> None:
        self._down = False

    def stall(self) -> None:
        self._flowing.clear()

    def resume(self) -> None:
        self._flowing.set()

    def close(self) -> None:
        self._closed = True
        self._flowing.set()
        for sock in [self._server, *self._sockets]:
            _cut(sock)

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _address = self._server.accept()
                if self._down:
                    client.close()
                    continue
                upstream = self._connect_upstream()
            except OSError:
                return
            self._sockets += [client, upstream]
            for source, target in ((client, upstream), (upstream, client)):
                threading.Thread(
                    target=self._pump, args=(source, target), daemon=True
                ).start()

    def _connect_upstream(self) -> socket.socket:
        if isinstance(self._upstream, tuple):
            return socket.create_connection(self._upstream)
        upstream = socket.socket(socket.AF_UNIX)
        upstream.connect(self._upstream)
        return upstream

    def _pump(self, source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                self._flowing.wait()  # stalled: what arrived is held
                target.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, target):
                _cut(sock)


def _cut(sock: socket.socket) -> None:
    """Close a socket for good: shutdown() first, because close() alone neither
    wakes a thread blocked reading it nor tells the peer (the server would keep
    the session open)."""
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    with contextlib.suppress(OSError):
        sock.close()


class SilentServer:
    """A server that accepts connections and never answers: a hung courier."""

    def __init__(self):
        self._server = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._server.getsockname()[1]}"
        self._held: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _address = self._server.accept()
            except OSError:
                return
            self._held.append(client)

    def close(self) -> None:
        for sock in [self._server, *self._held]:
            with contextlib.suppress(OSError):
                sock.close()

"""A TCP proxy a test can cut and restore, to take the broker away from a service for real."""

from __future__ import annotations

import socket

import eventlet
from eventlet.green import socket as green_socket


class TcpProxy:
    def __init__(self, target_host: str, target_port: int):
        self.target = (target_host, target_port)
        self.listener = green_socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(128)
        self.port = self.listener.getsockname()[1]
        self.up = True
        self.connections: list = []
        self._accepting = eventlet.spawn(self._accept)

    def _accept(self) -> None:
        while True:
            client, _ = self.listener.accept()
            if not self.up:
                client.close()
                continue
            try:
                upstream = green_socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            self.connections += [client, upstream]
            eventlet.spawn_n(self._pipe, client, upstream)
            eventlet.spawn_n(self._pipe, upstream, client)

    @staticmethod
    def _pipe(source, sink) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except (OSError, EOFError):
            pass
        finally:
            for sock in (source, sink):
                try:
                    sock.close()
                except OSError:
                    pass

    def cut(self) -> None:
        """Drop every open connection and refuse new ones, like a broker going away."""
        self.up = False
        for sock in self.connections:
            try:
                sock.shutdown(socket.SHUT_RDWR)  # the pipes see EOF and close both ends
            except OSError:
                pass
        self.connections.clear()

    def restore(self) -> None:
        self.up = True

    def close(self) -> None:
        self.cut()
        self._accepting.kill()
        self.listener.close()

"""Runs `phoenix serve` with its OTLP gRPC receiver bound to 127.0.0.1.

Phoenix binds that receiver to "[::]:port" (every interface) and has no setting to change it;
CI starts servers on loopback only, so the address is rewritten as the server is created.
"""

import sys

import grpc.aio

_create_server = grpc.aio.server


def _loopback_server(*args, **kwargs):
    server = _create_server(*args, **kwargs)
    add_insecure_port = server.add_insecure_port
    server.add_insecure_port = lambda address: add_insecure_port(
        address.replace("[::]", "127.0.0.1")
    )
    return server


grpc.aio.server = _loopback_server

from phoenix.server.main import main  # noqa: E402  (after the patch)

sys.argv = ["phoenix", "serve"]
sys.exit(main())

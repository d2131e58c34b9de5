"""`rediss://` (TLS) with a password: the whole path (admission, Celery broker, workers, results)
runs over TLS. The pip-installed Valkey has no TLS built in, so a TLS-terminating proxy (Python's
ssl module, a real handshake and certificate check) sits in front of it, as stunnel or a cloud
Redis endpoint would."""

import asyncio
import shutil
import ssl
import subprocess
import threading
from urllib.parse import urlsplit

import pytest

from newsflow.valkey import EmbeddedServer
from tests.helpers import clean_env, newsflow, results
from tests.service import free_port

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def make_cert(folder):
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a test certificate")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(folder / "key.pem"),
                    "-out", str(folder / "cert.pem"), "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
    return folder / "cert.pem", folder / "key.pem"


class TlsProxy:
    """Accepts TLS on `port` and forwards the decrypted stream to a plain Redis port."""

    def __init__(self, port, target_port, cert, key):
        self.port, self.target_port = port, target_port
        self.context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.context.load_cert_chain(cert, key)
        self.handshakes = 0
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        threading.Thread(target=self._run, daemon=True).start()
        assert self.ready.wait(10)

    def _run(self):
        asyncio.set_event_loop(self.loop)

        async def pipe(reader, writer):
            try:
                while data := await reader.read(65536):
                    writer.write(data)
                    await writer.drain()
            except (ConnectionError, asyncio.CancelledError):
                pass
            finally:
                writer.close()

        async def handle(reader, writer):
            self.handshakes += 1
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
            await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))

        async def main():
            await asyncio.start_server(handle, "127.0.0.1", self.port, ssl=self.context)
            self.ready.set()

        self.loop.run_until_complete(main())
        self.loop.run_forever()

    def close(self):
        self.loop.call_soon_threadsafe(self.loop.stop)


def test_rediss_url_end_to_end(tmp_path, seeds):
    """With NEWSFLOW_REDIS_URL=rediss://:password@host/0?..., seeds go through a real worker over TLS."""
    cert, key = make_cert(tmp_path)
    server = EmbeddedServer(tmp_path / "plain")
    plain = urlsplit(server.acquire())  # redis://default:<password>@127.0.0.1:<port>/0
    password, port = plain.password, plain.port
    proxy = TlsProxy(free_port(), port, cert, key)
    try:
        url = (f"rediss://:{password}@127.0.0.1:{proxy.port}/0"
               f"?ssl_cert_reqs=required&ssl_ca_certs={cert}")
        env = clean_env(NEWSFLOW_REDIS_URL=url)
        done = newsflow("process", *map(str, seeds), "--results", str(tmp_path / "R"), cwd=tmp_path, env=env,
                        timeout=300)
        assert done.returncode == 0, done.stderr[-3000:] + done.stdout[-3000:]
        assert len(results(tmp_path / "R")) == len(seeds)
        assert proxy.handshakes >= 3  # the client, the worker's broker connection, its pool processes
        wrong = clean_env(NEWSFLOW_REDIS_URL=url.replace(f"ssl_ca_certs={cert}", "ssl_ca_certs=/etc/ssl/certs/ca-certificates.crt"))
        refused = newsflow("status", cwd=tmp_path, env=wrong, timeout=120)
        assert refused.returncode != 0 and "certificate" in (refused.stderr + refused.stdout).lower()
    finally:
        proxy.close()
        server.release()

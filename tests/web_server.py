"""`citelog serve` in a subprocess, for the tests that talk to it over HTTP or drive a browser."""

from __future__ import annotations

import queue
import re
import signal
import subprocess
import threading

import pytest
from conftest import CITELOG, REPO


class Server:
    """`citelog serve` in a subprocess on a free port; its printed address."""

    def __init__(self, *args: str, env: dict[str, str] | None = None):
        self.process = subprocess.Popen([CITELOG, "serve", "--port", "0", *args], stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, text=True, cwd=REPO, env=env)
        lines: queue.Queue = queue.Queue()
        threading.Thread(target=lambda: lines.put(self.process.stdout.readline()), daemon=True).start()
        try:
            self.line = lines.get(timeout=60)
        except queue.Empty:
            self.stop()
            pytest.fail("citelog serve printed no address within 60 s")
        found = re.search(r"http://127\.0\.0\.1:(\d+)/", self.line)
        if not found:
            self.stop()
            pytest.fail(f"citelog serve printed {self.line!r}; stderr: {self.process.stderr.read()}")
        self.url, self.port = found.group(0), int(found.group(1))

    def stop(self) -> int:
        """Stop it as a user does, with Ctrl-C (SIGINT); its exit status."""
        self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()

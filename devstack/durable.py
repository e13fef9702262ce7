"""A broker whose data outlives it: Tansu on S3 storage, the S3 API served by moto.

Memory storage loses everything when the broker dies; the chaos suite kills the broker, so
it runs it on ``s3://`` storage instead, against a local moto server (a separate process,
so the data survives the broker). Tansu reads ``AWS_ENDPOINT`` and ``AWS_ALLOW_HTTP``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from devstack.services import ServiceHandle, _http_ok, free_port, start_broker, start_process

BUCKET = "tansu"
REGION = "eu-west-1"
# moto accepts any credentials; these only have to be present.
_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": REGION,
                "AWS_REGION": REGION}  # fmt: skip


def start_object_store(run_dir: Path, port: int | None = None) -> ServiceHandle:
    """A moto server (the S3 API) on 127.0.0.1, with the broker's bucket created."""
    port = free_port() if port is None else port
    url = f"http://127.0.0.1:{port}"
    argv = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
    handle = start_process("s3", argv, run_dir, {}, lambda: _http_ok(f"{url}/moto-api/"), url, port)
    import boto3

    s3 = boto3.client("s3", endpoint_url=url, region_name=REGION, aws_access_key_id=_CREDENTIALS["AWS_ACCESS_KEY_ID"],
                      aws_secret_access_key=_CREDENTIALS["AWS_SECRET_ACCESS_KEY"])  # fmt: skip
    s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    return handle


def start_durable_broker(run_dir: Path, object_store: ServiceHandle, port: int | None = None) -> ServiceHandle:
    """Tansu storing its topics and committed offsets in ``object_store``'s bucket."""
    env = {"AWS_ENDPOINT": object_store.url, "AWS_ALLOW_HTTP": "true", **_CREDENTIALS}
    return start_broker(run_dir, port=port, storage_url=f"s3://{BUCKET}/", extra_env=env)

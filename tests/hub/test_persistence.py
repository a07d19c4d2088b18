"""The Hub as a process (`python -m hfkatas.hub serve`): restarts and kills lose nothing acknowledged."""

from __future__ import annotations

import hashlib
import json
import signal
import socket
from pathlib import Path

import pytest

from hfkatas.hub.testing import hub_process, use_endpoint

pytestmark = pytest.mark.timeout(90)


def test_killed_hub_keeps_acknowledged_commits(tmp_path: Path) -> None:
    import huggingface_hub as hh

    data = tmp_path / "data"
    with (
        hub_process(data) as (hub, process),
        use_endpoint(hub.url, hub.write_token, tmp_path / "a"),
    ):
        repo_id = hh.create_repo("persisted", private=True).repo_id
        hh.upload_file(path_or_fileobj=b"v1", path_in_repo="f.txt", repo_id=repo_id)
        head = hh.upload_file(
            path_or_fileobj=b"\0" * 4096, path_in_repo="w.bin", repo_id=repo_id
        ).oid
        process.send_signal(signal.SIGKILL)  # no graceful shutdown at all
        process.wait(timeout=10)

    with hub_process(data) as (hub, _), use_endpoint(hub.url, hub.write_token, tmp_path / "b"):
        info = hh.model_info(repo_id)
        assert info.sha == head and info.private is True
        assert Path(hh.hf_hub_download(repo_id, "f.txt")).read_bytes() == b"v1"
        assert Path(hh.hf_hub_download(repo_id, "w.bin")).read_bytes() == b"\0" * 4096
        assert len(hh.list_repo_commits(repo_id)) == 3


def test_kill_mid_upload_leaves_no_partial_blob(tmp_path: Path) -> None:
    import httpx2

    data = tmp_path / "data"
    content = b"x" * 100_000
    oid = hashlib.sha256(content).hexdigest()
    with hub_process(data) as (hub, process):
        auth = {"Authorization": f"Bearer {hub.write_token}"}
        with httpx2.Client(base_url=hub.url, headers=auth, timeout=30) as client:
            client.post("/api/repos/create", json={"name": "partial"}).raise_for_status()
            batch = client.post(
                "/learner/partial.git/info/lfs/objects/batch",
                json={"operation": "upload", "objects": [{"oid": oid, "size": len(content)}]},
            )
            href = batch.json()["objects"][0]["actions"]["upload"]["href"]
        path = href.split(hub.url, 1)[1]
        with socket.create_connection(("127.0.0.1", int(hub.url.rsplit(":", 1)[1]))) as raw:
            raw.sendall(
                f"PUT {path} HTTP/1.1\r\nHost: x\r\nContent-Length: {len(content)}\r\n\r\n".encode()
            )
            raw.sendall(content[:50_000])
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=10)

    with hub_process(data) as (hub, _):
        assert not (data / "blobs" / oid[:2] / oid[2:]).exists()
        assert list((data / "tmp").iterdir()) == [], (
            "temp files of unacknowledged writes are dropped"
        )
        refs = json.loads(
            (data / "repos" / "models" / "learner" / "partial" / "refs.json").read_text()
        )
        assert set(refs) == {"main"}


@pytest.mark.timeout(30)
@pytest.mark.parametrize("serve_first", [True, False], ids=["after-a-request", "at-once"])
def test_cli_prints_url_first_and_stops_cleanly_on_sigterm(
    tmp_path: Path, serve_first: bool
) -> None:
    import httpx2

    with hub_process(tmp_path / "data") as (hub, process):
        if serve_first:
            assert httpx2.get(f"{hub.url}/api/models/learner/none").status_code == 404
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0

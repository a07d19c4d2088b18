"""Property: whatever repo ids, file paths and ndjson lines a client sends, the Hub answers a 4xx or
a success, never a 500 nor a dropped connection, and never serves or writes a file outside its data
folder."""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import httpx2
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hfkatas.hub.testing import USER, WRITE_TOKEN, HubHandle, running_hub

pytestmark = pytest.mark.timeout(180)
CANARY = b"canary: this file lies outside the data folder"
# Few examples and no deadline: a few seconds in all, and a slow machine cannot make it flaky.
BOUNDED = settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


class Probe:
    """A Hub in its own folder, a canary file beside that folder, and an authenticated client."""

    def __init__(self, root: Path, hub: HubHandle, http: httpx2.Client) -> None:
        self.root, self.hub, self.http = root, hub, http
        self.canary = root / "canary.txt"
        self.canary.write_bytes(CANARY)
        self.outside_before = self.outside()
        assert http.post("/api/repos/create", json={"name": "target"}).status_code == 200
        self.repo_id = f"{USER}/target"

    def outside(self) -> dict[str, bytes]:
        """Every file under `root` except the data folder's, with its content."""
        found = {}
        for folder, subfolders, files in os.walk(self.root):
            if Path(folder) == self.root:
                subfolders.remove(self.hub.data_dir.name)
            found |= {name: (Path(folder) / name).read_bytes() for name in files}
        return found

    def check(self, response: httpx2.Response) -> httpx2.Response:
        """A 4xx or a success carrying no canary, and nothing new outside the data folder.

        A 501 is allowed only for a commit line naming an operation this Hub does not know (the
        server logs it, so that a client calling something new fails loudly)."""
        code = response.headers.get("X-Error-Code")
        assert response.status_code < 500 or (response.status_code, code) == (
            501,
            "NotImplemented",
        ), (response.request.url, response.text)
        assert CANARY not in response.content
        assert self.outside() == self.outside_before
        return response


@pytest.fixture(scope="module")
def probe(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Probe]:
    root = tmp_path_factory.mktemp("hub-property")
    with running_hub(root / "data") as hub:
        headers = {"Authorization": f"Bearer {WRITE_TOKEN}"}
        with httpx2.Client(base_url=hub.url, headers=headers, timeout=30) as http:
            yield Probe(root, hub, http)
        unexpected = [e for e in hub.unknown_routes if "(commit operation " not in e]
        assert not unexpected, "only unknown commit operations may answer 501"


# One segment of a URL path: a "/" would change which route the URL names, not the name itself.
SEGMENT = st.text(
    st.characters(codec="utf-8", exclude_categories=["Cs"], exclude_characters="/"),
    min_size=1,
    max_size=12,
) | st.sampled_from(["..", ".", "%2e%2e", "api", "a--b", "x.git", "模型", "\x00", "a\nb"])
PATH = st.lists(SEGMENT | st.just(""), min_size=1, max_size=4).map("/".join) | st.sampled_from(
    ["../../canary.txt", "/etc/passwd", "a//b", "./x", ".git/config", "..\\..\\canary.txt"]
)


def url_quote(path: str) -> str:
    """`path` for a URL, dots escaped too, so that the client sends `..` as it is (unresolved)."""
    return "/".join(quote(part, safe="").replace(".", "%2E") for part in path.split("/"))


@BOUNDED
@given(namespace=SEGMENT, name=SEGMENT)
def test_any_repo_id(probe: Probe, namespace: str, name: str) -> None:
    quoted = url_quote(f"{namespace}/{name}")
    probe.check(probe.http.get(f"/api/models/{quoted}"))
    probe.check(probe.http.get(f"/{quoted}/resolve/main/config.json"))
    created = probe.check(probe.http.post("/api/repos/create", json={"name": name}))
    if created.is_success:
        assert (probe.hub.data_dir / "repos" / "models" / USER / name / "refs.json").is_file()


@BOUNDED
@given(path=PATH, content=st.binary(max_size=64))
def test_any_file_path(probe: Probe, path: str, content: bytes) -> None:
    line = {"path": path, "content": base64.b64encode(content).decode(), "encoding": "base64"}
    committed = probe.check(commit(probe, {"key": "file", "value": line}))
    download = probe.check(probe.http.get(f"/{probe.repo_id}/resolve/main/{url_quote(path)}"))
    if committed.is_success:
        assert download.content == content
    probe.check(probe.http.get(f"/api/models/{probe.repo_id}/tree/main/{url_quote(path)}"))
    probe.check(commit(probe, {"key": "deletedFile", "value": {"path": path}}))


JSON = st.recursive(
    # no subnormal floats: the kata zoo flushes denormals process-wide (torch.set_flush_denormal)
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_subnormal=False)
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=12,
)
FIELDS = {
    "path": PATH | JSON,
    "content": st.text(max_size=20) | JSON,
    "encoding": st.just("base64") | JSON,
    "oid": st.sampled_from(["../canary.txt", "xx/" + "0" * 62, "a" * 64]) | JSON,
    "size": st.integers(-1, 100) | JSON,
    "algo": st.just("sha256") | JSON,
}
KEYS = st.sampled_from(["file", "lfsFile", "deletedFile", "deletedFolder", "header"]) | JSON
LINE = (
    st.fixed_dictionaries({"key": KEYS, "value": st.fixed_dictionaries({}, optional=FIELDS) | JSON})
    | JSON
)


@BOUNDED
@given(lines=st.lists(LINE, max_size=4))
def test_any_ndjson_lines(probe: Probe, lines: list[object]) -> None:
    probe.check(commit(probe, *lines))
    probe.check(probe.http.get(f"/{probe.repo_id}/resolve/main/x.bin"))


def commit(probe: Probe, *lines: object) -> httpx2.Response:
    """POST a commit of `lines` after a header line."""
    header = {"key": "header", "value": {"summary": "property"}}
    body = "\n".join(json.dumps(line) for line in (header, *lines))
    return probe.http.post(
        f"/api/models/{probe.repo_id}/commit/main",
        content=body.encode(),
        headers={"Content-Type": "application/x-ndjson"},
    )

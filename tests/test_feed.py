"""The rules feed: `rules bundle`, `rules update` over a real HTTP server on 127.0.0.1, `rules status`,
`rules rollback`, and the choice of the rules in use (installed bundle or shipped rules)."""

from __future__ import annotations

import errno
import gzip
import hashlib
import json
import os
import shutil
import socket
import threading
import time
from datetime import date, datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from provider_audit.cli import main
from provider_audit.data import resources
from provider_audit.feed import FeedError
from provider_audit.feed import bundle as bundles
from provider_audit.feed.store import DATA_DIR_ENV, Store
from provider_audit.feed.validate import validate_tree

from conftest import PROJECTS, run_json


def _now() -> datetime:
    """Now, or later on the day of the shipped rules' newest date: the test bundles are built up to three
    hours before NOW, and a bundle built on the day before the rules' newest date (shortly after
    midnight UTC, when rules were dated today) would be older than the shipped rules."""
    from provider_audit.data.resources import shipped_rules

    now = datetime.now(timezone.utc).replace(microsecond=0)
    newest = shipped_rules(now.date()).newest
    if newest is not None:
        now = max(now, datetime(newest.year, newest.month, newest.day, 4, tzinfo=timezone.utc))
    return now


NOW = _now()
BUNDLE_ONLY = "feedtest-2026-10-openai-bundle-only"
EXTRA_EVENTS = f"""\
schema_version: 1
events:
  - id: {BUNDLE_ONLY}
    providers: [openai]
    kind: terms-change
    title: A change known only to the test bundle
    summary: Used by the feed tests to tell an installed bundle from the shipped rules.
    announced: 2026-10-01
    effective: 2026-10-01
    status: in-effect
    confidence: verified
    severity: high
    mitigation: Nothing to do; this is test data.
    sources: [https://example.com/provider-audit/feed-test]
"""
PROXY_VARIABLES = ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY")


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def rules_tree(base: Path, extra: str = EXTRA_EVENTS) -> Path:
    """A copy of the shipped rules with one more event file."""
    tree = base / "rules"
    shutil.copytree(resources.shipped_rules_dir(), tree, ignore=shutil.ignore_patterns("*.md"))
    (tree / "events" / "zz-feed-test.yaml").write_text(extra, encoding="utf-8")
    return tree


def bundle_bytes(tree: Path, built: datetime, compress: bool = True, previous=None) -> bytes:
    return bundles.build(tree, built=built, previous=previous).dump(compress=compress)


# ------------------------------------------------------------------ a real HTTP server on 127.0.0.1


class Handler(BaseHTTPRequestHandler):
    routes: dict = {}

    def do_GET(self):  # noqa: N802 - the http.server API
        route = self.routes.get(self.path)
        if route is None:
            self.send_error(404, "Not Found")
            return
        status, body, headers, delay, send = route
        if delay:
            time.sleep(delay)
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        if "Content-Length" not in headers:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body[:send] if send is not None else body)
        except OSError:
            pass
        self.close_connection = True

    def log_message(self, *args):  # quiet
        pass


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """Bundles (good, newer, older, truncated, corrupt, wrong checksum, wrong schema) and errors,
    served over HTTP on 127.0.0.1; yields (base URL, the bytes of each bundle)."""
    base = tmp_path_factory.mktemp("feed")
    tree = rules_tree(base / "good")
    good = bundle_bytes(tree, NOW - timedelta(hours=2))
    newer = bundle_bytes(tree, NOW - timedelta(hours=1))
    older = bundle_bytes(tree, NOW - timedelta(hours=3))
    plain = json.loads(bundle_bytes(tree, NOW - timedelta(hours=2), compress=False))
    plain["members"]["events/zz-feed-test.yaml"] = plain["members"]["events/zz-feed-test.yaml"].replace(
        "severity: high", "severity: low")
    wrong_checksum = json.dumps(plain).encode()
    bad_tree = rules_tree(base / "bad", EXTRA_EVENTS.replace("severity: high", "severity: dire"))
    wrong_schema = bundle_bytes(bad_tree, NOW - timedelta(hours=1))
    corrupt = bytearray(good)
    for i in range(len(corrupt) // 2, len(corrupt) // 2 + 64):
        corrupt[i] ^= 0x5A
    gz = {"Content-Type": "application/gzip"}
    Handler.routes = {
        "/good.json.gz": (200, good, gz, 0, None),
        "/newer.json.gz": (200, newer, gz, 0, None),
        "/older.json.gz": (200, older, gz, 0, None),
        # the server promises the whole file and closes the connection half-way
        "/cut.json.gz": (200, good, gz, 0, len(good) // 2),
        # a file that was itself truncated (an interrupted upload): the length is honest
        "/truncated.json.gz": (200, good[: len(good) // 2], gz, 0, None),
        "/corrupt.json.gz": (200, bytes(corrupt), gz, 0, None),
        "/wrong-checksum.json": (200, wrong_checksum, {}, 0, None),
        "/wrong-schema.json.gz": (200, wrong_schema, gz, 0, None),
        "/not-a-bundle.json": (200, b'{"hello": "world"}', {}, 0, None),
        "/error.json.gz": (500, b"Internal Server Error", {}, 0, None),
        "/slow.json.gz": (200, good, gz, 3, None),
        "/huge.json.gz": (200, b"", {"Content-Length": str(10 ** 9)}, 0, 0),
        "/moved.json.gz": (302, b"", {"Location": "/newer.json.gz"}, 0, None),
        "/moved-to-file.json.gz": (302, b"", {"Location": "file:///etc/passwd"}, 0, None),
    }
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", {"good": good, "newer": newer, "older": older}
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def data_dir(tmp_path):
    """A data directory of the test's own, chosen through the environment as a user would."""
    folder = tmp_path / "data"
    saved = {k: os.environ.get(k) for k in (DATA_DIR_ENV, "PROVIDER_AUDIT_RULES_URL") + PROXY_VARIABLES}
    for key in saved:
        os.environ.pop(key, None)
    os.environ[DATA_DIR_ENV] = str(folder)
    resources.use_data_dir(None)
    try:
        yield folder
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        resources.use_data_dir(None)
        resources.reset()


def snapshot(data_dir: Path):
    """Every file of the data directory (by digest) and what `rules status` says."""
    files = {p.relative_to(data_dir).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
             for p in sorted(data_dir.rglob("*")) if p.is_file()}
    status = invoke("rules", "status", "--format", "json")
    assert status.exit_code == 0, status.output
    return files, json.loads(status.stdout)


def update(*args):
    return invoke("rules", "update", "--timeout", 1, *args)


# ------------------------------------------------------------------ the whole cycle over HTTP


def test_update_over_http_makes_new_events_visible_to_show_and_scans(served, data_dir):
    url, _ = served
    assert BUNDLE_ONLY not in invoke("rules", "list").stdout
    result, report = run_json(PROJECTS / "openai_only")
    assert BUNDLE_ONLY not in {m["id"] for m in report["risk"]["matched"]}

    done = update("--from", f"{url}/good.json.gz")
    assert done.exit_code == 0, done.output
    assert done.stdout.startswith("installed rules bundle ")

    status = json.loads(invoke("rules", "status", "--format", "json").stdout)
    assert status["in_use"]["source"] == "bundle"
    assert status["in_use"]["location"] == f"{url}/good.json.gz"
    assert status["in_use"]["date"] == (NOW - timedelta(hours=2)).date().isoformat()
    assert status["in_use"]["counts"]["events"] == status["in_use"]["counts"]["events"] > 0
    shown = invoke("rules", "show", BUNDLE_ONLY)
    assert shown.exit_code == 0 and "A change known only to the test bundle" in shown.stdout
    result, report = run_json(PROJECTS / "openai_only")
    assert result.exit_code in (0, 1), result.output
    assert BUNDLE_ONLY in {m["id"] for m in report["risk"]["matched"]}


def test_the_same_bundle_again_changes_nothing(served, data_dir):
    url, _ = served
    assert update("--from", f"{url}/good.json.gz").exit_code == 0
    before = snapshot(data_dir)
    again = update("--from", f"{url}/good.json.gz")
    assert again.exit_code == 0 and "already up to date" in again.stdout
    assert snapshot(data_dir) == before


FAILURES = [
    ("/cut.json.gz", "truncated download"),
    ("/truncated.json.gz", "truncated bundle"),
    ("/corrupt.json.gz", "corrupt bundle"),
    ("/wrong-checksum.json", "checksum mismatch for 'events/zz-feed-test.yaml'"),
    ("/wrong-schema.json.gz", "key 'severity'"),
    ("/not-a-bundle.json", "not a provider-audit rules bundle"),
    ("/older.json.gz", "refusing an older bundle"),
    ("/missing.json.gz", "HTTP 404"),
    ("/error.json.gz", "HTTP 500"),
    ("/slow.json.gz", "timed out after 1 s"),
    ("/huge.json.gz", "more than the"),
    ("/moved-to-file.json.gz", "Redirection to url 'file:///etc/passwd' is not allowed"),
]


@pytest.mark.parametrize("path, message", FAILURES, ids=[p.strip("/").split(".")[0] for p, _ in FAILURES])
def test_a_failed_update_exits_2_with_one_line_and_changes_nothing(served, data_dir, path, message):
    url, _ = served
    assert update("--from", f"{url}/good.json.gz").exit_code == 0
    before = snapshot(data_dir)
    started = time.monotonic()
    failed = update("--from", f"{url}{path}")
    assert failed.exit_code == 2, failed.output
    assert message in failed.stderr
    assert len(failed.stderr.strip().splitlines()) == 1 and "Traceback" not in failed.output
    if "slow" in path:
        assert time.monotonic() - started < 2.5  # the 1 s timeout holds (the server waits 3 s)
    assert snapshot(data_dir) == before
    assert not [p for p in (data_dir / "rules").iterdir() if p.name.startswith(".staging-")]


def test_the_first_update_failing_leaves_the_shipped_rules_in_use(served, data_dir):
    failed = update("--from", f"{served[0]}/cut.json.gz")
    assert failed.exit_code == 2
    status = json.loads(invoke("rules", "status", "--format", "json").stdout)
    assert status["in_use"]["source"] == "shipped" and status["installed"] is None


def test_a_redirect_is_followed_and_the_previous_bundle_kept(served, data_dir):
    url, blobs = served
    assert update("--from", f"{url}/good.json.gz").exit_code == 0
    moved = update("--from", f"{url}/moved.json.gz")
    assert moved.exit_code == 0, moved.output
    status = json.loads(invoke("rules", "status", "--format", "json").stdout)
    assert status["installed"]["sha256"] == hashlib.sha256(blobs["newer"]).hexdigest()
    assert status["previous"]["sha256"] == hashlib.sha256(blobs["good"]).hexdigest()
    assert len([p for p in (data_dir / "rules").iterdir() if p.is_dir()]) == 2

    back = invoke("rules", "rollback")
    assert back.exit_code == 0, back.output
    status = json.loads(invoke("rules", "status", "--format", "json").stdout)
    assert status["installed"]["sha256"] == hashlib.sha256(blobs["good"]).hexdigest()
    assert status["previous"]["sha256"] == hashlib.sha256(blobs["newer"]).hexdigest()


def test_downgrade_only_on_request(served, data_dir):
    url, blobs = served
    assert update("--from", f"{url}/newer.json.gz").exit_code == 0
    assert update("--from", f"{url}/older.json.gz").exit_code == 2
    forced = update("--from", f"{url}/older.json.gz", "--allow-downgrade")
    assert forced.exit_code == 0, forced.output
    status = json.loads(invoke("rules", "status", "--format", "json").stdout)
    assert status["installed"]["sha256"] == hashlib.sha256(blobs["older"]).hexdigest()


def test_whole_file_digest(served, data_dir):
    url, blobs = served
    wrong = update("--from", f"{url}/good.json.gz", "--sha256", "0" * 64)
    assert wrong.exit_code == 2 and "differs from the expected" in wrong.stderr
    assert not (data_dir / "rules" / "state.json").exists()
    right = update("--from", f"{url}/good.json.gz", "--sha256", hashlib.sha256(blobs["good"]).hexdigest().upper())
    assert right.exit_code == 0, right.output


def test_default_source_from_the_environment(served, data_dir):
    os.environ["PROVIDER_AUDIT_RULES_URL"] = f"{served[0]}/good.json.gz"
    done = update()
    assert done.exit_code == 0 and "/good.json.gz" in done.stdout


def test_local_path_and_file_url(served, data_dir, tmp_path):
    path = tmp_path / "mirror" / "rules.json.gz"
    path.parent.mkdir()
    path.write_bytes(served[1]["good"])
    assert update("--from", path).exit_code == 0
    path.write_bytes(served[1]["newer"])
    assert update("--from", path.as_uri()).exit_code == 0
    missing = update("--from", tmp_path / "nowhere.json.gz")
    assert missing.exit_code == 2 and "cannot read" in missing.stderr
    assert update("--from", "ftp://127.0.0.1/x").exit_code == 2


def test_a_full_disk_while_installing_changes_nothing(served, data_dir, monkeypatch):
    url, _ = served
    assert update("--from", f"{url}/good.json.gz").exit_code == 0
    before = snapshot(data_dir)

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("provider_audit.feed.store.os.replace", full)
    failed = update("--from", f"{url}/newer.json.gz")
    monkeypatch.undo()
    assert failed.exit_code == 2 and "No space left on device" in failed.stderr
    assert "the installed rules are unchanged" in failed.stderr
    assert snapshot(data_dir) == before


def test_a_scan_with_the_network_unreachable_uses_the_installed_bundle(served, data_dir, monkeypatch):
    assert update("--from", f"{served[0]}/good.json.gz").exit_code == 0

    def unreachable(*args, **kwargs):
        raise OSError(errno.ENETUNREACH, "network unreachable (test)")

    monkeypatch.setattr(socket.socket, "connect", unreachable)
    monkeypatch.setattr(socket, "create_connection", unreachable)
    result, report = run_json(PROJECTS / "openai_only")
    assert result.exit_code in (0, 1), result.output
    assert BUNDLE_ONLY in {m["id"] for m in report["risk"]["matched"]}
    assert report["rules"]["source"] == "bundle" and report["rules"]["age_days"] == 0  # as of 2026-11-01
    text = invoke(PROJECTS / "openai_only", "--isolated", "--no-git", "--exit-zero")
    assert text.exit_code == 0 and "Rules: rules bundle dated " in text.stdout and " old) from http://127.0.0.1:" in text.stdout


# ------------------------------------------------------------------ choosing the rules in use


def test_a_damaged_installed_bundle_falls_back_to_the_shipped_rules(served, data_dir):
    assert update("--from", f"{served[0]}/good.json.gz").exit_code == 0
    installed = Store(data_dir).current()
    member = installed.tree / "events" / "zz-feed-test.yaml"
    member.write_text(member.read_text().replace("severity: high", "severity: low"))
    resources.reset()
    status = json.loads(invoke("rules", "status", "--format", "json").stdout)
    assert status["in_use"]["source"] == "shipped"
    assert any("does not match its checksum" in note for note in status["notes"])
    assert BUNDLE_ONLY not in invoke("rules", "list").stdout
    # a new update repairs it
    assert update("--from", f"{served[0]}/newer.json.gz").exit_code == 0
    assert BUNDLE_ONLY in invoke("rules", "list").stdout


def test_a_bundle_invalid_for_this_code_falls_back(served, data_dir):
    assert update("--from", f"{served[0]}/good.json.gz").exit_code == 0
    state = data_dir / "rules" / "state.json"
    document = json.loads(state.read_text())
    document["current"]["validated_with"] = "another version"
    state.write_text(json.dumps(document))
    resources.reset()
    assert resources.rules_in_use().source == "bundle"  # revalidated: still fine
    assert json.loads(state.read_text())["current"]["validated_with"] != "another version"

    document = json.loads(state.read_text())
    document["current"]["validated_with"] = "another version"
    state.write_text(json.dumps(document))
    installed = Store(data_dir).current()
    member = installed.tree / "events" / "zz-feed-test.yaml"  # invalid, checksums made to agree
    bad = member.read_text().replace("severity: high", "severity: dire").encode()
    member.write_bytes(bad)
    manifest = json.loads((installed.folder / "manifest.json").read_text())
    manifest["members"]["events/zz-feed-test.yaml"] = {"sha256": hashlib.sha256(bad).hexdigest(), "size": len(bad)}
    (installed.folder / "manifest.json").write_text(json.dumps(manifest))
    resources.reset()
    chosen = resources.rules_in_use()
    assert chosen.source == "shipped" and "does not load with this provider-audit" in chosen.notes[0]


def test_shipped_rules_newer_than_the_bundle_win(data_dir, tmp_path):
    tree = tmp_path / "old"
    (tree / "events").mkdir(parents=True)
    shutil.copy(resources.shipped_rules_dir() / "providers.yaml", tree / "providers.yaml")
    (tree / "events" / "only.yaml").write_text(EXTRA_EVENTS.replace("2026-10-01", "2020-01-01"))
    path = tmp_path / "old.json"
    path.write_bytes(bundle_bytes(tree, NOW))
    refused = update("--from", path)
    assert refused.exit_code == 2 and "refusing an older bundle" in refused.stderr
    assert update("--from", path, "--allow-downgrade").exit_code == 0
    status = json.loads(invoke("rules", "status", "--format", "json").stdout)
    assert status["in_use"]["source"] == "shipped" and status["installed"] is not None
    assert any("shipped rules" in note and "are newer" in note for note in status["notes"])


def test_status_text_and_age_warning(data_dir):
    shipped = resources.shipped_rules()
    as_of = shipped.newest + timedelta(days=45)
    text = invoke("rules", "status", "--as-of", as_of.isoformat())
    assert text.exit_code == 0
    assert f"in use:    shipped rules, {shipped.newest} (45 days old)" in text.stdout
    assert "previous:  none" in text.stdout
    assert "45 days old (more than 30)" in text.stderr
    fresh = invoke("rules", "status", "--as-of", as_of.isoformat(), "--max-rules-age", 60)
    assert "warning" not in fresh.stderr


def test_data_dir_option_beats_the_environment(served, data_dir, tmp_path):
    other = tmp_path / "other"
    assert invoke("rules", "update", "--data-dir", other, "--from", f"{served[0]}/good.json.gz").exit_code == 0
    assert (other / "rules" / "state.json").is_file() and not data_dir.exists()
    assert invoke("rules", "--data-dir", other, "list").stdout.count(BUNDLE_ONLY) == 1
    assert BUNDLE_ONLY not in invoke("rules", "list").stdout


def test_rollback_without_a_previous_bundle(data_dir):
    done = invoke("rules", "rollback")
    assert done.exit_code == 2 and "no previous rules bundle" in done.stderr


# ------------------------------------------------------------------ building and reading bundles


def test_rules_bundle_command_round_trip(tmp_path, data_dir):
    tree = rules_tree(tmp_path)
    out = tmp_path / "rules.json.gz"
    built = invoke("rules", "bundle", tree, "-o", out)
    assert built.exit_code == 0, built.output
    data = out.read_bytes()
    assert data[:2] == b"\x1f\x8b" and hashlib.sha256(data).hexdigest() in built.stdout
    bundle = bundles.load(data)
    names = {p.relative_to(tree).as_posix() for p in tree.rglob("*.yaml")}
    assert set(bundle.members) == names and "events/zz-feed-test.yaml" in names
    assert all(not name.endswith(".md") for name in bundle.members)
    assert bundle.manifest.counts["events"] >= 1 and BUNDLE_ONLY in bundle.manifest.items
    plain = invoke("rules", "bundle", "-o", tmp_path / "shipped.json")  # default: the rules in use
    assert plain.exit_code == 0 and json.loads((tmp_path / "shipped.json").read_text())["bundle"] == bundles.KIND


def test_rules_bundle_refuses_invalid_rules(tmp_path, data_dir):
    tree = rules_tree(tmp_path, EXTRA_EVENTS.replace("severity: high", "severity: dire"))
    out = tmp_path / "bad.json"
    built = invoke("rules", "bundle", tree, "-o", out)
    assert built.exit_code == 2 and "key 'severity'" in built.stderr and not out.exists()


def test_rules_bundle_refuses_an_sdk_constant_that_is_no_model_id(tmp_path, data_dir):
    tree = rules_tree(tmp_path)
    table = tree / "sdk_constants.yaml"
    table.write_text(table.read_text(encoding="utf-8").replace('GPT4o: "gpt-4o"', 'GPT4o: "not a model"', 1),
                     encoding="utf-8")
    built = invoke("rules", "bundle", tree, "-o", tmp_path / "bad.json")
    assert built.exit_code == 2 and "sdk_constants.yaml" in built.stderr and "GPT4o" in built.stderr


def test_a_bundle_build_is_reproducible(tmp_path):
    tree = rules_tree(tmp_path)
    assert bundle_bytes(tree, NOW) == bundle_bytes(tree, NOW)


def test_item_change_dates_carry_over_from_the_previous_bundle(tmp_path):
    tree = rules_tree(tmp_path)
    first = bundles.build(tree, built=datetime(2026, 11, 1, tzinfo=timezone.utc))
    assert first.manifest.items[BUNDLE_ONLY]["modified"] == "2026-10-01"  # its own newest date
    (tree / "events" / "zz-feed-test.yaml").write_text(EXTRA_EVENTS.replace("severity: high", "severity: medium"))
    second = bundles.build(tree, built=datetime(2026, 12, 3, tzinfo=timezone.utc), previous=first.manifest)
    assert second.manifest.items[BUNDLE_ONLY]["modified"] == "2026-12-03"  # changed: the build day
    unchanged = [k for k in first.manifest.items if k != BUNDLE_ONLY]
    assert unchanged and all(second.manifest.items[k]["modified"] == first.manifest.items[k]["modified"]
                             for k in unchanged)


def test_newest_date_ignores_future_dates_and_undated_text():
    texts = ["announced: 2026-03-01\neffective: 2027-05-01\n",
             "  - {date: 2026-06-03, status: scheduled}\nchecked: '2026-07-02'\nsummary: updated 2026-09-09\n",
             "checked: 2099-01-01\n"]
    assert bundles.newest_date(texts, date(2026, 12, 7)) == date(2026, 7, 2)
    assert bundles.newest_date(["no dates"], date(2026, 12, 7)) is None
    # a dating key counts only as a whole word: not inside "updated" or "last_checked"
    inside = "updated: 2026-09-09\nlast_checked: 2026-10-10\nxdate: 2026-11-11\n-date: 2026-01-02\n"
    assert bundles.newest_date([inside], date(2026, 12, 7)) == date(2026, 1, 2)


def _document(tree: Path) -> dict:
    return json.loads(bundles.build(tree, built=NOW).dump())


@pytest.mark.parametrize("name", ["../escape.yaml", "/etc/cron.d/x.yaml", "events/../../x.yaml", "a\\b.yaml",
                                  ".hidden.yaml", "events/x.sh", "a/b/c/d/e.yaml", "C:/x.yaml", "", "events//x.yaml"])
def test_unsafe_member_names_are_refused(tmp_path, name):
    document = _document(rules_tree(tmp_path))
    text = "schema_version: 1\nevents: []\n"
    document["members"][name] = text
    document["manifest"]["members"][name] = {"sha256": hashlib.sha256(text.encode()).hexdigest(), "size": len(text)}
    with pytest.raises(FeedError, match="refused"):
        bundles.load(json.dumps(document).encode())


def test_reader_refuses_inconsistent_documents(tmp_path):
    document = _document(rules_tree(tmp_path))
    missing = json.loads(json.dumps(document))
    del missing["members"]["events/openai.yaml"]
    with pytest.raises(FeedError, match="the manifest lists 'events/openai.yaml'"):
        bundles.load(json.dumps(missing).encode())
    unlisted = json.loads(json.dumps(document))
    del unlisted["manifest"]["members"]["events/openai.yaml"]
    with pytest.raises(FeedError, match="not in the manifest"):
        bundles.load(json.dumps(unlisted).encode())
    case = json.loads(json.dumps(document))
    case["members"]["Providers.yaml"] = case["members"]["providers.yaml"]
    case["manifest"]["members"]["Providers.yaml"] = case["manifest"]["members"]["providers.yaml"]
    with pytest.raises(FeedError, match="differ only in case"):
        bundles.load(json.dumps(case).encode())
    newer = json.loads(json.dumps(document))
    newer["manifest"]["format_version"] = 2
    with pytest.raises(FeedError, match="newer than this provider-audit reads"):
        bundles.load(json.dumps(newer).encode())
    duplicate = json.dumps(document).replace('{"bundle":', '{"bundle": "x", "bundle":', 1)
    with pytest.raises(FeedError, match="duplicate key"):
        bundles.load(duplicate.encode())


def test_decompression_is_capped(monkeypatch):
    bomb = gzip.compress(b" " * (2 * 1024 * 1024))
    monkeypatch.setattr(bundles, "MAX_TOTAL_BYTES", 1024 * 1024)
    with pytest.raises(FeedError, match="larger than"):
        bundles.load(bomb)


def test_validation_refuses_yaml_anchors_and_miscounts(tmp_path):
    tree = rules_tree(tmp_path, EXTRA_EVENTS.replace("providers: [openai]", "providers: &p [openai]")
                      + "    vendors: *p\n")
    with pytest.raises(FeedError, match="aliases are not allowed"):  # refused when built (_compat's loaders)
        built = bundles.build(tree, built=NOW)
        validate_tree(tree, built.members, built.manifest.counts)
    plain = rules_tree(tmp_path / "plain")
    built = bundles.build(plain, built=NOW)
    wrong = dict(built.manifest.counts, events=built.manifest.counts["events"] + 1)
    with pytest.raises(FeedError, match="the manifest counts"):
        validate_tree(plain, built.members, wrong)


def test_symlinks_are_not_bundled(tmp_path):
    tree = rules_tree(tmp_path)
    (tree / "events" / "linked.yaml").symlink_to(tree / "events" / "zz-feed-test.yaml")
    with pytest.raises(FeedError, match="not a regular file"):
        bundles.build(tree, built=NOW)


# ------------------------------------------------------------------ what reports say


def scan_today(path, *args):
    """A scan on today's date (no --as-of), as CI runs it; (result, JSON report or None)."""
    result = invoke(path, "--isolated", "--no-git", "--exit-zero", *args)
    if "--format" in args and args[args.index("--format") + 1] != "json":
        return result, None
    return result, json.loads(result.stdout) if result.stdout.startswith("{") else None


def test_every_format_names_the_rules_used(served, data_dir, tmp_path):
    url, blobs = served
    assert update("--from", f"{url}/good.json.gz").exit_code == 0
    project = PROJECTS / "openai_only"
    cache = ("--cache-dir", tmp_path / "cache")
    result, report = scan_today(project, "--format", "json", *cache)
    rules = report["rules"]
    assert rules["source"] == "bundle" and rules["location"] == f"{url}/good.json.gz"
    assert rules["date"] == (NOW - timedelta(hours=2)).date().isoformat()
    assert rules["age_days"] == (date.today() - (NOW - timedelta(hours=2)).date()).days
    assert rules["sha256"] == hashlib.sha256(blobs["good"]).hexdigest() and rules["stale"] is False
    line = f"rules bundle dated {rules['date']} ({rules['age_days']} day"
    text, _ = scan_today(project, "--format", "text", *cache)
    assert f"Rules: {line}" in text.stdout
    markdown, _ = scan_today(project, "--format", "markdown", *cache)
    assert markdown.stdout.splitlines()[-3].startswith(f"Rules: {line}")
    sarif, _ = scan_today(project, "--format", "sarif", *cache)
    assert json.loads(sarif.stdout)["runs"][0]["tool"]["driver"]["properties"]["rules"] == rules
    github, _ = scan_today(project, "--format", "github", *cache)
    assert "provider-audit%3A rules" not in github.stdout  # fresh rules need no annotation


def test_old_rules_warn_and_fail_only_under_the_stale_rules_policy(data_dir, tmp_path):
    shipped = resources.shipped_rules()
    late = (shipped.day + timedelta(days=45)).isoformat()
    project = PROJECTS / "openai_only"
    warned = invoke(project, "--isolated", "--no-git", "--as-of", late, "--fail-on", "never", "--format", "json")
    assert warned.exit_code == 0
    assert "warning: the rules in use are 45 days old (more than 30)" in warned.stderr
    report = json.loads(warned.stdout)
    assert report["rules"]["age_days"] == 45 and report["rules"]["stale"] is True
    failed = invoke(project, "--isolated", "--no-git", "--as-of", late, "--fail-on", "never,stale-rules")
    assert failed.exit_code == 1 and "policy failed: stale-rules" in failed.stderr
    assert "45 days old" in failed.stdout  # the text report says it too
    github = invoke(project, "--isolated", "--no-git", "--as-of", late, "--fail-on", "never", "--format", "github")
    assert "::warning title=provider-audit%3A rules::Rules: rules shipped with provider-audit" in github.stdout
    assert "45 days old (more than 30)" in github.stdout
    patient = invoke(project, "--isolated", "--no-git", "--as-of", late, "--fail-on", "stale-rules",
                     "--max-rules-age", 60)
    assert patient.exit_code == 0 and "days old" not in patient.stderr
    config = tmp_path / "provider-audit.toml"
    config.write_text('fail-on = "stale-rules"\nmax-rules-age = 50\n')
    configured = invoke(project, "--no-git", "--as-of", late, "--config", config)
    assert configured.exit_code == 0, configured.output


def test_new_for_you_marks_what_is_new_since_the_previous_scan(served, data_dir, tmp_path):
    project = tmp_path / "app"
    shutil.copytree(PROJECTS / "openai_only", project)
    cache = ("--cache-dir", tmp_path / "cache")
    _, first = scan_today(project, "--format", "json", *cache)
    assert first["new_for_you"]["tracked"] is False and "first scan" in first["new_for_you"]["note"]
    _, second = scan_today(project, "--format", "json", *cache)
    assert second["new_for_you"]["tracked"] is True and second["new_for_you"]["new"] == []

    assert update("--from", f"{served[0]}/good.json.gz").exit_code == 0
    markdown, _ = scan_today(project, "--format", "markdown", *cache)
    lines = markdown.stdout.splitlines()
    assert lines[2] == f"**1 new risk item since {date.today()}**"
    assert BUNDLE_ONLY in lines[6] and "**new**" in markdown.stdout
    _, third = scan_today(project, "--format", "json", *cache)
    assert third["new_for_you"]["new"] == []  # recorded by the Markdown scan
    other = invoke(project, "--isolated", "--no-git", "--exit-zero", "--format", "json", "--no-cache")
    assert json.loads(other.stdout)["new_for_you"]["note"].startswith("not tracked without the cache")


def test_new_for_you_marks_a_changed_event(data_dir, tmp_path):
    project = tmp_path / "app"
    shutil.copytree(PROJECTS / "openai_only", project)
    rules = tmp_path / "ours.yaml"
    rules.write_text(EXTRA_EVENTS)
    cache = ("--cache-dir", tmp_path / "cache")
    scan_today(project, "--format", "json", "--rules", rules, *cache)
    rules.write_text(EXTRA_EVENTS.replace("severity: high", "severity: critical"))
    text, _ = scan_today(project, "--format", "text", "--rules", rules, *cache)
    assert f"New for you: 1 new risk item since {date.today()}" in text.stdout
    assert "A change known only to the test bundle [new]" in text.stdout  # marked in the risk list too
    _, again = scan_today(project, "--format", "json", "--rules", rules, *cache)
    assert again["new_for_you"]["changed"] == [] and again["new_for_you"]["tracked"]


def test_since_lists_items_added_or_changed_after_a_day(data_dir, tmp_path):
    plain = tmp_path / "plain"
    shutil.copytree(resources.shipped_rules_dir(), plain / "rules", ignore=shutil.ignore_patterns("*.md"))
    before = bundles.build(plain / "rules", built=datetime(2026, 11, 20, tzinfo=timezone.utc))
    tree = rules_tree(tmp_path / "extended")
    after = bundles.build(tree, built=NOW, previous=before.manifest)
    assert after.manifest.items[BUNDLE_ONLY]["modified"] == NOW.date().isoformat()
    path = tmp_path / "rules.json"
    path.write_bytes(after.dump())
    assert update("--from", path).exit_code == 0
    since = (NOW.date() - timedelta(days=1)).isoformat()
    _, report = scan_today(PROJECTS / "openai_only", "--format", "json", "--since", since, "--no-cache")
    matched = {m["id"] for m in report["risk"]["matched"]}
    assert BUNDLE_ONLY in matched and report["new_for_you"]["since_items"] == [BUNDLE_ONLY]
    _, wide = scan_today(PROJECTS / "openai_only", "--format", "json", "--since", "2020-01-01", "--no-cache")
    # Far enough back, every matched item changed since (scoped events leave few items on a plain app).
    assert sorted(wide["new_for_you"]["since_items"]) == sorted(m["id"] for m in wide["risk"]["matched"])


# ------------------------------------------------------------------ the CI examples


def _example_commands(name: str):
    import shlex

    import yaml

    workflow = yaml.safe_load((PROJECTS.parents[2] / "examples" / "ci" / name).read_text(encoding="utf-8"))
    lines = [step["run"] for job in workflow["jobs"].values() for step in job["steps"] if "run" in step]
    return [shlex.split(line, comments=True) for line in lines if line.startswith("provider-audit ")]


def test_ci_rules_examples_run_as_written(served, data_dir, tmp_path, monkeypatch):
    """The publishing workflow's commands build a bundle that the scheduled job's `rules update` installs
    (the published URL replaced by the test server, which serves the file just built)."""
    from provider_audit.feed.update import DEFAULT_URL

    url, _ = served
    monkeypatch.chdir(tmp_path)
    shutil.copytree(resources.shipped_rules_dir(), tmp_path / "rules")
    publish = _example_commands("rules-bundle.yml")
    assert [argv[1:3] for argv in publish] == [["rules", "validate"], ["rules", "bundle"], ["rules", "update"]]
    for argv in publish:
        args = [a.replace(DEFAULT_URL, f"{url}/missing.json.gz") for a in argv[1:]]
        result = invoke(*args)
        assert result.exit_code == 0, (argv, result.output)
    assert (tmp_path / "bundle-check" / "rules" / "state.json").is_file()
    Handler.routes["/published.json.gz"] = (200, (tmp_path / "provider-audit-rules.json.gz").read_bytes(), {}, 0, None)

    os.environ["PROVIDER_AUDIT_RULES_URL"] = f"{url}/published.json.gz"
    scheduled = _example_commands("scheduled-scan.yml")
    assert scheduled[0][1:] == ["rules", "update"]
    for argv in scheduled:
        args = [str(PROJECTS / "anthropic_only") if a == "." else a.replace("$GITHUB_STEP_SUMMARY", "summary.md")
                for a in argv[1:]]
        if args[0] != "rules":
            args += ["--isolated", "--no-git"]
        result = invoke(*args)
        assert result.exit_code in (0, 1), (argv, result.output)
    status = json.loads(invoke("rules", "status", "--format", "json").stdout)
    assert status["in_use"]["source"] == "bundle" and status["in_use"]["location"] == f"{url}/published.json.gz"
    assert (tmp_path / "summary.md").read_text().splitlines()[-3].startswith("Rules: rules bundle dated")

"""The configuration file under abuse: malformed INI/JSON, unknown keys, wrong types, deletion and
re-creation, 100 rapid edits.  The watcher keeps the last good settings, warns once per bad
version, never dies, and ends on the final file's settings.  Waits poll with a deadline."""
from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

import PureCloudPlatformClientV2 as sdk

from .reliability_helpers import wait_until

LOGGER = "PureCloudPlatformClientV2"


def _write(path: Path, text: str | bytes) -> None:
    """Replace the file atomically, as an editor saves."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(text.encode() if isinstance(text, str) else text)
    os.replace(tmp, path)


def _good(host: str, wait: int = 5) -> str:
    return json.dumps({"general": {"host": host}, "reauthentication": {"refresh_token_wait_max": wait}})


def _warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if "invalid configuration file" in r.getMessage()]


@pytest.fixture
def watched(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> Iterator[tuple[sdk.Configuration, Path]]:
    caplog.set_level(logging.WARNING, logger=LOGGER)
    path = tmp_path / "config"
    _write(path, _good("https://api.start.example"))
    config = sdk.Configuration.new()
    config.config_file_path = str(path)
    config.start_config_watcher()
    assert config.host == "https://api.start.example"
    yield config, path
    config.stop_config_watcher()


BAD_VERSIONS = {
    "ini-no-section-header": "host = https://api.bad.example\n",
    "ini-broken-section": "[general\nhost = https://api.bad.example\n",
    "ini-duplicate-key": "[general]\nhost = https://a.example\nhost = https://b.example\n",
    "json-truncated": '{"general": {"host": "https://api.bad.example"',
    "json-trailing-comma": '{"general": {"host": "https://api.bad.example",}}',
    "json-section-not-object": '{"general": ["https://api.bad.example"]}',
    "unknown-retry-key": '{"general": {"host": "https://api.bad.example"}, "retry": {"max_retrys": 3}}',
    "wrong-type-bool": '{"general": {"host": "https://api.bad.example"}, '
                       '"reauthentication": {"refresh_access_token": "maybe"}}',
    "wrong-type-number": '[general]\nhost = https://api.bad.example\n[reauthentication]\nrefresh_token_wait_max = soon\n',
    "wrong-type-retry": '{"general": {"host": "https://api.bad.example"}, "retry": {"max_retries": "many"}}',
    "wrong-type-timeout": '{"general": {"host": "https://api.bad.example"}, "timeouts": {"read_timeout": [1]}}',
    "negative-retry": '{"general": {"host": "https://api.bad.example"}, "retry": {"max_retries": -1}}',
    "not-utf8": b"[general]\nhost = https://api.bad.example/\xff\xfe\n",
}


@pytest.mark.parametrize("name", sorted(BAD_VERSIONS))
def test_bad_version_keeps_last_good_settings_warns_once_and_watcher_survives(
        watched: tuple[sdk.Configuration, Path], caplog: pytest.LogCaptureFixture, name: str) -> None:
    config, path = watched
    _write(path, BAD_VERSIONS[name])
    assert wait_until(lambda: len(_warnings(caplog)) >= 1), f"no warning for {name}"
    assert config.host == "https://api.start.example" and config.refresh_token_wait_time == 5
    # The same bad content again (touched, re-saved): no second warning.
    _write(path, BAD_VERSIONS[name])
    _write(path, _good("https://api.after.example", 9))
    assert wait_until(lambda: config.host == "https://api.after.example")  # the watcher is alive
    assert config.refresh_token_wait_time == 9
    assert len(_warnings(caplog)) == 1, _warnings(caplog)


def test_unknown_sections_and_keys_are_ignored_not_fatal(watched: tuple[sdk.Configuration, Path],
                                                         caplog: pytest.LogCaptureFixture) -> None:
    config, path = watched
    _write(path, '{"general": {"host": "https://api.newer.example", "colour": "blue"}, "future": {"x": 1}}')
    assert wait_until(lambda: config.host == "https://api.newer.example")
    assert _warnings(caplog) == []


def test_deleted_then_recreated(watched: tuple[sdk.Configuration, Path], caplog: pytest.LogCaptureFixture) -> None:
    config, path = watched
    path.unlink()
    _write(path.with_name("sibling"), "x")  # an unrelated change in the directory after the deletion
    # Deleting the file keeps the settings (there is no new file to apply); re-creating it applies it.
    _write(path, _good("https://api.recreated.example", 3))
    assert wait_until(lambda: config.host == "https://api.recreated.example")
    assert config.refresh_token_wait_time == 3 and _warnings(caplog) == []
    path.unlink()
    path.write_text(_good("https://api.in-place.example", 4))  # created in place, not renamed
    assert wait_until(lambda: config.host == "https://api.in-place.example")


def test_100_rapid_edits_end_on_the_final_file(watched: tuple[sdk.Configuration, Path],
                                               caplog: pytest.LogCaptureFixture) -> None:
    config, path = watched
    bad_tags = []
    for i in range(100):
        if i % 3 == 2:
            tag = f"maybe-{i}"
            bad_tags.append(tag)
            _write(path, json.dumps({"general": {"host": f"https://api.bad{i}.example"},
                                     "reauthentication": {"refresh_access_token": tag}}))
        else:
            _write(path, _good(f"https://api.edit{i}.example", i))
    _write(path, _good("https://api.final.example", 42))
    assert wait_until(lambda: config.host == "https://api.final.example", 20)
    assert config.refresh_token_wait_time == 42
    assert not config.host.startswith("https://api.bad")
    warnings = _warnings(caplog)
    for tag in bad_tags:  # versions may be coalesced by the watcher, but none is reported twice
        assert sum(f"'{tag}'" in w for w in warnings) <= 1
    assert len(warnings) <= len(bad_tags)


def test_rapid_in_place_writes_never_apply_a_torn_file(watched: tuple[sdk.Configuration, Path]) -> None:
    """Writing in place lets the watcher see half-written files: those are warned about and ignored."""
    config, path = watched
    seen: set[str] = set()
    for i in range(50):
        with open(path, "w") as handle:
            handle.write(_good(f"https://api.inplace{i}.example")[:20])
            handle.flush()
            handle.write(_good(f"https://api.inplace{i}.example")[20:])
        seen.add(config.host)
    assert wait_until(lambda: config.host == "https://api.inplace49.example", 20)
    assert all(h == "https://api.start.example" or h.startswith("https://api.inplace") for h in seen)

"""The emulator's command line: argument checks, a generated CA written where --ca-dir says,
and a quiet exit on Ctrl-C."""
from __future__ import annotations

import re
import signal
import subprocess
import sys
from pathlib import Path

import requests

from PureCloudPlatformClientV2.emulator.__main__ import main

ROOT = Path(__file__).resolve().parents[2]


def test_cert_without_key_is_a_usage_error(capsys, tmp_path):
    assert main(["--cert", str(tmp_path / "c.pem")]) == 2
    assert "--cert and --key go together" in capsys.readouterr().err
    assert main(["--key", str(tmp_path / "k.pem")]) == 2


def test_tls_with_ca_dir_serves_https_and_exits_cleanly_on_ctrl_c(tmp_path):
    proc = subprocess.Popen([sys.executable, "-m", "PureCloudPlatformClientV2.emulator", "--port", "0", "--tls",
                             "--ca-dir", str(tmp_path), "--prefix-api", "/gw/", "--rate-limit"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        first, second = proc.stdout.readline(), proc.stdout.readline()
        match = re.search(r"API (https://127\.0\.0\.1:(\d+)/gw) ", first)
        assert match, first
        ca_file = tmp_path / "ca.pem"
        assert f"CA file: {ca_file}" in second and ca_file.is_file()
        resp = requests.get(match.group(1) + "/api/v2/users/me", verify=str(ca_file), timeout=10)
        assert resp.status_code == 401 and resp.json()["code"] == "authentication.required"
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err
    assert "Traceback" not in err, err

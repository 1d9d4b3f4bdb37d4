"""The wheel carries the rules, and an installed wheel finds them (not only an editable checkout)."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(ROOT)],
                          capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        pytest.fail(f"building the wheel failed:\n{proc.stdout}\n{proc.stderr}")
    (built,) = out.glob("provider_audit-*.whl")
    return built


def test_wheel_contains_every_rules_file(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = sorted(p.relative_to(ROOT / "rules").as_posix() for p in (ROOT / "rules").rglob("*.yaml"))
    assert shipped, "the checkout has no rules"
    missing = [name for name in shipped if f"provider_audit/rules/{name}" not in names]
    assert missing == []


def test_installed_wheel_loads_its_own_rules(wheel, tmp_path):
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target),
                    str(wheel)], check=True, timeout=300)
    env = {**os.environ, "PYTHONPATH": str(target)}
    code = ("import provider_audit, provider_audit.data.resources as r; "
            "print(provider_audit.__file__); print(r.rules_dir())")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, env=env,
                          check=True)
    module, rules = proc.stdout.split()
    assert module.startswith(str(target)) and rules.startswith(str(target))
    listed = subprocess.run([sys.executable, "-m", "provider_audit", "rules", "validate"], capture_output=True,
                            text=True, cwd=tmp_path, env=env)
    assert listed.returncode == 0, listed.stderr
    assert "events over" in listed.stdout

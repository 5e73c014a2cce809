"""The README's test command (`bash .ci/run`) on machines unlike this one.

The script is run on a copy of the project's `.ci/` and `tests/js/package.json`, with a PATH built from
this machine's own commands minus the ones a scenario takes away, and stubs for what it must not really
do here: `apt-get` (acts out Debian's answers, including NodeSource's `nodejs : Conflicts: npm`), `id`
(root), `npm`, and `python3` (its venv's `pip` and `python` record what they were asked and stand in for
the install and the test step).
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from .conftest import REPO

TAKEN = {"chromium", "chromedriver", "node", "npm", "php", "apt-get", "id", "python3"}

APT = r"""#!/bin/bash
# apt-get stub: logs its calls; `install PKG` puts a stub command in place, or fails as a scenario says.
echo "apt-get $*" >> "$LOG"
[ "$1" = update ] && exit 0
pkg="${@: -1}"
case " $APT_FAIL " in *" $pkg "*) echo "E: Unable to locate package $pkg" >&2; exit 100;; esac
if [ "$pkg" = npm ] && [ -e "$BIN/.nodesource" ]; then
    echo "nodejs : Conflicts: npm" >&2; echo "E: Unable to correct problems, you have held broken packages." >&2; exit 100
fi
mk() { printf '#!/bin/bash\necho "%s $*" >> "$LOG"\n' "$1" > "$BIN/$1"; chmod +x "$BIN/$1"; }
case "$pkg" in
    chromium) mk chromium;;
    chromium-driver) mk chromedriver;;
    php-cli) mk php;;
    nodejs) mk node; [ -n "${NODE_BUNDLES_NPM:-}" ] && { mk npm; touch "$BIN/.nodesource"; };;
    npm) mk npm;;
esac
exit 0
"""

PYTHON = r"""#!/bin/bash
# python3 stub: `-m venv DIR` makes DIR/bin/pip and DIR/bin/python, which log and play the test step.
echo "python3 $*" >> "$LOG"
if [ "$1 $2" = "-m venv" ]; then
    mkdir -p "$3/bin"
    printf '#!/bin/bash\necho "pip $*" >> "$LOG"\n' > "$3/bin/pip"
    printf '#!/bin/bash\necho "tests $*" >> "$LOG"\necho "3 passed, 0 failed"\nexit ${TEST_EXIT:-0}\n' > "$3/bin/python"
    chmod +x "$3/bin/pip" "$3/bin/python"
fi
"""


def _stub(folder: Path, name: str, text: str) -> None:
    path = folder / name
    path.write_text(text)
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


def _path_without(bin_dir: Path, present: set[str]) -> None:
    """Links to every command of this machine's PATH except those a scenario controls."""
    for folder in os.environ.get("PATH", "/usr/bin:/bin").split(os.pathsep):
        if not os.path.isdir(folder):
            continue
        for entry in os.scandir(folder):
            if entry.name in TAKEN or (bin_dir / entry.name).exists():
                continue
            if entry.is_file():
                (bin_dir / entry.name).symlink_to(entry.path)
    for name in present:
        _stub(bin_dir, name, f'#!/bin/bash\necho "{name} $*" >> "$LOG"\n')


def run_ci(tmp_path: Path, present: set[str], **env: str) -> tuple[int, str, list[str]]:
    """Run a copy of `.ci/run` with only ``present`` of the optional commands on PATH:
    (exit code, stderr, the logged calls)."""
    root = tmp_path / "clone"
    shutil.copytree(REPO / ".ci", root / ".ci")
    (root / "tests" / "js").mkdir(parents=True)
    shutil.copy(REPO / "tests" / "js" / "package.json", root / "tests" / "js" / "package.json")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    _path_without(bin_dir, present)
    _stub(bin_dir, "apt-get", APT)
    _stub(bin_dir, "id", '#!/bin/bash\necho 0\n')
    _stub(bin_dir, "python3", PYTHON)
    log = tmp_path / "log"
    log.touch()
    full = {"PATH": str(bin_dir), "LOG": str(log), "BIN": str(bin_dir), "HOME": str(tmp_path), **env}
    done = subprocess.run(["bash", str(root / ".ci" / "run")], env=full, capture_output=True, text=True,
                          timeout=60, check=False)
    return done.returncode, done.stderr, log.read_text().splitlines()


def installs(calls: list[str]) -> list[str]:
    return [c.split()[-1] for c in calls if c.startswith("apt-get ") and " install " in c]


@pytest.fixture(autouse=True)
def _need_bash() -> None:
    if shutil.which("bash") is None:
        pytest.skip("bash is not on this machine")


def test_chromium_missing_node_from_nodesource(tmp_path: Path) -> None:
    """The reported failure: chromium absent, NodeSource's node (npm bundled). Only the browser is
    installed, Debian's npm is never asked for, and the tests run."""
    code, err, calls = run_ci(tmp_path, {"node", "npm", "php"})
    assert code == 0, err
    assert installs(calls) == ["chromium", "chromium-driver"]
    assert any(c.startswith("npm ci") for c in calls)
    assert calls[-1] == "tests -m pytest"


def test_node_missing_nodesource_bundles_npm(tmp_path: Path) -> None:
    """Node absent, and the nodejs package that comes (NodeSource's) brings npm: npm is not installed again."""
    code, err, calls = run_ci(tmp_path, {"chromium", "chromedriver", "php"}, NODE_BUNDLES_NPM="1")
    assert code == 0, err
    assert installs(calls) == ["nodejs"]
    assert any(c.startswith("npm ci") for c in calls)
    assert calls[-1] == "tests -m pytest"


def test_node_missing_debian_split_packages(tmp_path: Path) -> None:
    """Node absent, Debian's nodejs without npm: npm is installed after it."""
    code, err, calls = run_ci(tmp_path, {"chromium", "chromedriver", "php"})
    assert code == 0, err
    assert installs(calls) == ["nodejs", "npm"]
    assert calls[-1] == "tests -m pytest"


def test_npm_conflict_is_reported_and_the_tests_still_run(tmp_path: Path) -> None:
    """node present without npm, and Debian's npm refused (as NodeSource's nodejs refuses it): the run
    says so, the npm-backed tests will skip, and the rest run."""
    code, err, calls = run_ci(tmp_path, {"chromium", "chromedriver", "php", "node"}, APT_FAIL="npm")
    assert code == 0, err
    assert "could not install npm" in err and "npm is missing" in err and "will skip" in err
    assert not any(c.startswith("npm ") for c in calls)
    assert calls[-1] == "tests -m pytest"


def test_failed_browser_install_skips_not_stops(tmp_path: Path) -> None:
    code, err, calls = run_ci(tmp_path, {"node", "npm", "php"}, APT_FAIL="chromium chromium-driver")
    assert code == 0, err
    assert "chromium is missing: the self-test page's browser tests will skip" in err
    assert calls[-1] == "tests -m pytest"


def test_everything_present_installs_nothing(tmp_path: Path) -> None:
    code, err, calls = run_ci(tmp_path, {"chromium", "chromedriver", "node", "npm", "php"})
    assert code == 0, err
    assert installs(calls) == [] and not any(c == "apt-get update -q" for c in calls)
    assert calls[-3:] == ["python3 -m venv .venv", "pip install -q -e .[test]", "tests -m pytest"]


def test_failing_tests_fail_the_run(tmp_path: Path) -> None:
    code, _, calls = run_ci(tmp_path, {"chromium", "chromedriver", "node", "npm", "php"}, TEST_EXIT="1")
    assert code == 1
    assert calls[-1] == "tests -m pytest"

"""Build the wheel, install it into a fresh virtual environment and run it outside the checkout.

The new environment imports the running environment's packages (lark, prompt_toolkit and the rest)
through a .pth file, so the test installs only the wheel and needs no network when hatchling is
installed. Without hatchling, pip downloads it to build the wheel.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
BIN = "Scripts" if os.name == "nt" else "bin"


def run(command: list[str], cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    env.pop("PYTHONHOME", None)
    env["HOME"] = str(cwd)
    env["XDG_DATA_HOME"] = str(cwd / "data")
    completed = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert completed.returncode == 0, f"{command} failed:\n{completed.stdout}\n{completed.stderr}"
    return completed


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dist = tmp_path_factory.mktemp("dist")
    command = [sys.executable, "-m", "pip", "wheel", str(REPO), "--no-deps", "-w", str(dist)]
    if importlib.util.find_spec("hatchling") is not None:
        command.append("--no-build-isolation")
    run(command, cwd=dist)
    wheels = sorted(dist.glob("symdiff-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return the Python of a fresh virtual environment with only the wheel installed in it."""
    root = tmp_path_factory.mktemp("venv")
    venv.create(root, system_site_packages=True, with_pip=True)
    python = root / BIN / ("python.exe" if os.name == "nt" else "python")

    inner_site = run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], cwd=root)
    outer_paths = {sysconfig.get_path("purelib"), sysconfig.get_path("platlib")}
    (Path(inner_site.stdout.strip()) / "outer-environment.pth").write_text(
        "\n".join(sorted(outer_paths)) + "\n", encoding="utf-8"
    )

    run([str(python), "-m", "pip", "install", "--no-deps", "--no-index", "--force-reinstall", str(wheel)], cwd=root)
    return python


def test_wheel_contains_grammar_and_marker(wheel):
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        entry_points = next(name for name in names if name.endswith(".dist-info/entry_points.txt"))
        entry_text = archive.read(entry_points).decode("utf-8")

    assert "symdiff/grammar/scheme.lark" in names
    assert "symdiff/py.typed" in names
    assert "symdiff/__main__.py" in names
    assert "symdiff = symdiff.cli:main" in entry_text


def test_wheel_grammar_matches_source(wheel):
    with zipfile.ZipFile(wheel) as archive:
        packaged = archive.read("symdiff/grammar/scheme.lark")

    assert packaged == (REPO / "grammar" / "scheme.lark").read_bytes()


def test_installed_module_runs_outside_checkout(installed, tmp_path):
    result = run([str(installed), "-m", "symdiff", "-e", "(deriv '(** x n) 'x)"], cwd=tmp_path)

    assert result.stdout == "(* n (** x (+ n -1)))\n"
    assert result.stderr == ""


def test_installed_package_imported_from_venv(installed, tmp_path):
    script = (
        "import symdiff, pathlib, sys; "
        "from importlib import resources; "
        "print(pathlib.Path(symdiff.__file__).resolve().is_relative_to(pathlib.Path(sys.prefix).resolve())); "
        "print(resources.files('symdiff').joinpath('grammar', 'scheme.lark').is_file())"
    )

    result = run([str(installed), "-c", script], cwd=tmp_path)

    assert result.stdout.split() == ["True", "True"]


def test_installed_console_script_runs(installed, tmp_path):
    script = installed.parent / ("symdiff.exe" if os.name == "nt" else "symdiff")

    result = run([str(script), "-e", "(deriv '(* x y) 'x)"], cwd=tmp_path)

    assert result.stdout == "y\n"

"""The lock files say what the source files ask for.

``requirements.in`` (and ``requirements-dev.in``) name the direct
dependencies with their extras; ``make lock`` compiles them into
``requirements.txt`` (and ``requirements-dev.txt``), which pin every package
with hashes. Here the dependency tree is walked from the installed packages'
own metadata, so an edit to a ``.in`` file without ``make lock`` (a new
package, a new extra such as ``celery[redis]``, a version range the pin no
longer meets, a removed package) fails without reaching the network.
"""

import re
from importlib import metadata
from pathlib import Path

import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==([^\s\\;]+)", re.MULTILINE)


def pins(lock: str) -> dict[str, str]:
    return {canonicalize_name(name): version for name, version in PIN.findall((ROOT / lock).read_text())}


def direct_requirements(source: str) -> list[Requirement]:
    """The requirements a ``.in`` file names, following ``-r`` includes."""
    found = []
    for line in (ROOT / source).read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith("-c"):
            continue
        if line.startswith("-r"):
            found += direct_requirements(line[2:].strip())
        else:
            found.append(Requirement(line))
    return found


def closure(requirements: list[Requirement]) -> dict[str, list[Requirement]]:
    """Every package the requirements need on this Python, with what asked for
    it, read from the installed distributions' metadata."""
    needed: dict[str, list[Requirement]] = {}
    seen: set[tuple[str, str]] = set()
    waiting = [(requirement, requirement) for requirement in requirements]
    while waiting:
        requirement, origin = waiting.pop()
        name = canonicalize_name(requirement.name)
        needed.setdefault(name, []).append(origin)
        for extra in [""] if not requirement.extras else ["", *requirement.extras]:
            if (name, extra) in seen:
                continue
            seen.add((name, extra))
            try:
                declared = metadata.requires(requirement.name) or []
            except metadata.PackageNotFoundError:
                continue  # reported below: it cannot be pinned either
            for text in declared:
                dependency = Requirement(text)
                if dependency.marker is None or dependency.marker.evaluate({**default_environment(), "extra": extra}):
                    waiting.append((dependency, requirement))
    return needed


@pytest.mark.parametrize(("source", "lock"), [("requirements.in", "requirements.txt"),
                                               ("requirements-dev.in", "requirements-dev.txt")])  # fmt: skip
def test_the_lock_file_pins_exactly_what_the_source_file_needs(source, lock):
    pinned = pins(lock)
    needed = closure(direct_requirements(source))

    missing = sorted(set(needed) - set(pinned))
    unneeded = sorted(set(pinned) - set(needed))
    assert not missing, f"{lock} lacks {missing}, which {source} needs: run `make lock`."
    assert not unneeded, f"{lock} pins {unneeded}, which {source} no longer needs: run `make lock`."
    for name, asked in needed.items():
        for requirement in asked:
            if canonicalize_name(requirement.name) == name:
                assert requirement.specifier.contains(pinned[name], prereleases=True), (
                    f"{lock} pins {name}=={pinned[name]}, outside {requirement}: run `make lock`."
                )


def test_the_installed_packages_are_the_pinned_ones():
    """`make test` installed requirements-dev.txt, so the walk above read the
    metadata of the versions the lock names."""
    for name, version in pins("requirements-dev.txt").items():
        assert metadata.version(name) == version, name


def test_every_pin_carries_hashes():
    for lock in ["requirements.txt", "requirements-dev.txt"]:
        text = (ROOT / lock).read_text()
        assert len(re.findall(r"--hash=sha256:", text)) >= len(pins(lock)), lock


def test_the_broker_client_comes_with_celery_not_a_hand_pin():
    """kombu's Redis transport imports `packaging`, which only the extra
    brings: the bug that once broke every production install."""
    runtime = {canonicalize_name(r.name): r for r in direct_requirements("requirements.in")}

    assert "redis" in runtime["celery"].extras
    assert "redis" not in runtime
    assert {"redis", "packaging"} <= set(pins("requirements.txt"))


def test_the_runtime_lock_holds_no_test_tools():
    assert not {"pytest", "pytest-django", "hypothesis", "playwright", "ruff", "aiosmtpd"} & set(
        pins("requirements.txt")
    )

"""The translation catalogues: every ``<app>/locale/<language>/LC_MESSAGES/*.po``
and the project's own ``locale/``, compiled to the ``.mo`` files Django reads.

The ``.mo`` files are built, not committed (``.gitignore``): ``make run``,
``make test``, the Dockerfile and the production smoke test run
``manage.py compile_translations``, and the test settings compile whatever
is missing or older than its ``.po`` before the suite starts. polib does it
in Python, so no machine needs GNU gettext to run the product.
"""

import os
import tempfile
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
# Folders that hold no catalogue of the project's own.
SKIPPED_FOLDERS = {".venv", "var", "staticfiles", "node_modules", ".git"}


def catalogues(root: Path = ROOT) -> list[Path]:
    """Every ``.po`` file under a ``locale/<language>/LC_MESSAGES`` folder of the project."""
    found = []
    for folder, subfolders, files in os.walk(root):
        # Pruned while walking: the virtualenv alone holds thousands of folders.
        subfolders[:] = [name for name in subfolders if name not in SKIPPED_FOLDERS]
        here = Path(folder)
        if here.name == "LC_MESSAGES" and here.parent.parent.name == "locale":
            found.extend(here / name for name in files if name.endswith(".po"))
    return sorted(found)


def compiled_path(catalogue: Path) -> Path:
    return catalogue.with_suffix(".mo")


def stale_catalogues(root: Path = ROOT) -> list[Path]:
    """Catalogues whose ``.mo`` is missing or older than the ``.po``."""
    stale = []
    for catalogue in catalogues(root):
        compiled = compiled_path(catalogue)
        if not compiled.exists() or compiled.stat().st_mtime < catalogue.stat().st_mtime:
            stale.append(catalogue)
    return stale


def catalogue_compile(catalogue: Path) -> Path:
    """Write ``catalogue``'s ``.mo`` beside it. Fuzzy and untranslated
    entries are left out, as msgfmt does. Written to a temporary file and
    moved into place, so a test run starting at the same moment never reads
    half a file."""
    compiled = compiled_path(catalogue)
    handle, temporary = tempfile.mkstemp(dir=compiled.parent, prefix=".", suffix=".mo")
    os.close(handle)
    try:
        polib.pofile(str(catalogue)).save_as_mofile(temporary)
        os.chmod(temporary, 0o644)  # mkstemp's 0600 would hide it from the image's unprivileged user
        os.replace(temporary, compiled)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return compiled


def catalogues_compile(*, root: Path = ROOT, everything: bool = False) -> list[Path]:
    """Compile the stale catalogues (all of them with ``everything``); the ``.mo`` files written."""
    return [catalogue_compile(catalogue) for catalogue in (catalogues(root) if everything else stale_catalogues(root))]

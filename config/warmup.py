"""Work a web process would otherwise do on its first requests, done before it
takes any: importing the views behind the URLconf, compiling the URL patterns
in every language, loading the translation catalogues and compiling the
project's templates.

Measured on the desk page, a process's first request took about 0.8 s
against 0.1 s for the next: 0.46 s importing the URLconf's views, 0.27 s
building the patterns for ``{% url %}`` and 0.13 s compiling templates.
Every gunicorn worker paid that on the first request of each kind it served,
so right after a deploy or a worker's restart some staff waited a second;
under ``bench.load`` those first requests made up the slowest twentieth of
the less frequent pages. gunicorn calls ``process_warm`` from
``post_worker_init`` (``config/gunicorn.py``), before the worker accepts a
connection. It sends no query and keeps no data, only code and compiled
patterns, so nothing it leaves behind can go stale.
"""

import logging
import time
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.template import TemplateDoesNotExist, TemplateSyntaxError, engines
from django.urls import URLResolver, get_resolver
from django.utils import translation

logger = logging.getLogger(__name__)

TEMPLATE_SUFFIXES = (".html", ".txt", ".ics", ".xml")


def process_warm() -> dict[str, int]:
    """Warm this process in every configured language; returns what was
    warmed (patterns, templates) and how long it took, which is logged."""
    started = time.perf_counter()
    resolver = get_resolver()
    patterns = 0
    with translation.override(None):
        for code, _name in settings.LANGUAGES:
            translation.activate(code)
            patterns = _patterns_compile(resolver)
            # Built per language on first use, for reverse() and {% url %}.
            _ = resolver.reverse_dict
    templates = _templates_compile()
    warmed = {"patterns": patterns, "templates": templates, "ms": round((time.perf_counter() - started) * 1000)}
    logger.info("Warmed: %(patterns)s URL patterns, %(templates)s templates in %(ms)s ms", warmed)
    return warmed


def _patterns_compile(resolver: URLResolver) -> int:
    """Compile each pattern's regular expression for the active language, as
    resolving a path would on its first visit; returns how many."""
    count = 0
    for entry in resolver.url_patterns:
        _ = entry.pattern.regex  # compiled and kept per language on first access
        count += 1
        if isinstance(entry, URLResolver):
            count += _patterns_compile(entry)
    return count


def _templates_compile() -> int:
    """Compile the templates of the project's own apps (not Django's or a
    library's: the admin's hundreds are seldom used) through the engine's
    loaders, so the cached loader keeps them."""
    engine = engines["django"].engine
    root = Path(settings.BASE_DIR).resolve()
    count = 0
    for app in apps.get_app_configs():
        folder = Path(app.path).resolve() / "templates"
        if folder.parent.parent != root or not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            if path.suffix not in TEMPLATE_SUFFIXES or not path.is_file():
                continue
            name = path.relative_to(folder).as_posix()
            try:
                engine.get_template(name)
            except (TemplateDoesNotExist, TemplateSyntaxError):
                # A broken template fails where it is used, as it would without warming.
                logger.warning("Not warmed: template %s", name, exc_info=True)
                continue
            count += 1
    return count

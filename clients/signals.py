"""Signals the clients app sends, so that apps above it can react without
this app knowing them (it may not import them: see the layers in
pyproject.toml).

``screening_changed`` is sent inside the transaction that stored a new
screening, a clearance or the client's own answers, with ``client`` and
``reason`` (a sentence for the record of why a plan changed). A receiver that
fails rolls the whole change back, so nothing is half-written.
"""

from django.dispatch import Signal

screening_changed = Signal()

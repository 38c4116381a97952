"""No formula in a CSV cell, and the text back on import.

A spreadsheet program opening a CSV file runs a cell that begins with ``=``, ``+``, ``-`` or
``@`` as a formula (``=HYPERLINK(…)`` as a headword becomes a link, worse ones run commands), and
some read a leading tab or carriage return the same way.  Every CSV the service writes passes its
cells through :func:`neutral`: such a cell gets a leading apostrophe, the OWASP rule, which the
spreadsheet shows as the text itself.  A cell that already begins with apostrophes before such a
character gets one more, so that the rule can be undone without loss.

The CSV importer undoes it (:func:`restored`): a cell of apostrophes followed by one of those
characters loses one apostrophe.  An export therefore reads back as the text it was written from
(a suffix ``-ka`` stays ``-ka``, not ``'-ka``), and a list typed by hand with ``'-ka`` — what a
spreadsheet user writes to keep ``-ka`` as text — reads as ``-ka`` too, as its author meant.
"""

from __future__ import annotations

import re

TRIGGERS = "=+-@\t\r"
_NEEDS_QUOTE = re.compile(r"'*[=+\-@\t\r]")
_QUOTED = re.compile(r"'+[=+\-@\t\r]")


def neutral(value: str) -> str:
    """``value`` as a CSV cell no spreadsheet runs as a formula."""
    return "'" + value if _NEEDS_QUOTE.match(value) else value


def neutral_row(values) -> list[str]:
    return [neutral(v) if isinstance(v, str) else v for v in values]


def restored(value: str) -> str:
    """The text a cell written by :func:`neutral` (or quoted so by hand) stands for."""
    return value[1:] if _QUOTED.match(value) else value

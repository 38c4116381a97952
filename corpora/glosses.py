"""Splitting a gloss cell into glosses and notes.

Real cells hold several glosses separated by ``;``, ``/`` or ``,`` and parenthesised notes:
``tao / (tôi)``, ``đất (1)`` (a WOLD homonym marker), ``cây rui (nhà`` (the note never closed).
Separators inside parentheses belong to the note.  A part that is nothing but a parenthesised
text (``(tôi)``) is a gloss of its own.
"""

from __future__ import annotations

import re

from dictionary.text.normalize import canonical

_SEPARATORS = frozenset(";/,")
_OPEN = "(（["
_CLOSE = ")）]"
_SPLIT = re.compile("[;/,]")
_BRACKETS = re.compile("[(（[)）\\]]")


def split_glosses(cell: str) -> tuple[list[str], list[str]]:
    """``(glosses, notes)`` of one cell, in order, without repeats; both canonical."""
    if not _BRACKETS.search(cell):  # most cells: no notes, so no need to walk the characters
        unique: dict[str, None] = {}
        for part in _SPLIT.split(cell):
            gloss = canonical(part).strip(" .:-")
            if gloss:
                unique[gloss] = None
        return list(unique), []
    glosses: list[str] = []
    notes: list[str] = []
    text: list[str] = []
    note: list[str] = []
    part_notes: list[str] = []
    depth = 0

    def flush_part() -> None:
        gloss = canonical("".join(text)).strip(" .:-")
        if not gloss and part_notes:
            gloss, rest = part_notes[0], part_notes[1:]
        else:
            rest = part_notes
        if gloss and gloss not in glosses:
            glosses.append(gloss)
        for n in rest:
            if n not in notes:
                notes.append(n)
        text.clear()
        part_notes.clear()

    def flush_note() -> None:
        n = canonical("".join(note))
        if n:
            part_notes.append(n)
        note.clear()

    for ch in cell:
        if ch in _OPEN:
            if depth:
                note.append(ch)
            depth += 1
        elif ch in _CLOSE and depth:
            depth -= 1
            if depth:
                note.append(ch)
            else:
                flush_note()
        elif depth:
            note.append(ch)
        elif ch in _SEPARATORS:
            flush_part()
        else:
            text.append(ch)
    if depth:
        flush_note()
    flush_part()
    return glosses, notes

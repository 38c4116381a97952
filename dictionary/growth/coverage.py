"""Progress for everyone: per language and per dataset, what is published, what has a voice,
what waits for review, what is asked for and what people looked up in vain.

The report scans every entry, so it is computed once per generation of the public text; since
recordings waiting for review, requests and missed look-ups change without a new generation, it
is also computed again after :data:`TTL` seconds."""

from __future__ import annotations

import time
from collections.abc import Callable

from dictionary import languages as registry
from dictionary.cache import PerGeneration
from dictionary.growth.worklist import Worklist
from dictionary.storage.campaigns import Campaigns
from dictionary.storage.demand import ANY

TTL = 60.0  # seconds a report is kept within one generation


class Coverage:
    def __init__(self, rooms: Campaigns, worklist: Worklist, clock: Callable[[], float] = time.monotonic) -> None:
        self.rooms, self.worklist = rooms, worklist
        self.held = PerGeneration(lambda: (worklist.search.entries.generation, int(clock() // TTL)))

    def report(self) -> dict:
        """The report (:meth:`compute`), kept per generation for up to :data:`TTL` seconds."""
        return self.held("report", self.compute)

    def compute(self) -> dict:
        """``languages``: per language, published entries, those with an accepted native recording,
        recordings pending review, open requests and missed look-ups of the last 30 days (those
        naming no minority language count for none: they are in the worklist of every one);
        ``datasets``: the first three per dataset."""
        rows = self.rooms.coverage()
        requests, missed = self.worklist.open_requests(), self.worklist.missed(30)
        per: dict[str, dict] = {}
        for row in rows:
            lang = per.setdefault(row["language"], {"language": row["language"], "published": 0, "recorded": 0,
                                                    "pending": 0})
            for key in ("published", "recorded", "pending"):
                lang[key] += row[key]
        for code in {*requests, *missed} - {ANY}:
            per.setdefault(code, {"language": code, "published": 0, "recorded": 0, "pending": 0})
        languages = []
        for code, lang in per.items():
            languages.append({**lang, "language_name": registry.name(code), "open_requests": requests.get(code, 0),
                              "missed_30_days": missed.get(code, 0)})
        languages.sort(key=lambda r: (-r["published"], r["language_name"]))
        datasets = sorted((r for r in rows if r["published"] or r["pending"]),
                          key=lambda r: (r["language"], -r["published"], r["dataset"]))
        return {"languages": languages, "datasets": datasets}

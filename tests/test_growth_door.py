"""The door's "missing" limit holds a client that keeps asking for what is not there, never one
that keeps hearing an ordinary "nothing yet" (no voice for a language, no recording to pack)."""

from __future__ import annotations

from support import NO_RATE_LIMITS, CheckedClient, Library

from corpora.sample import load_sample


def test_ordinary_404_answers_do_not_hold_a_client_at_the_door(tmp_path):
    lib = Library(tmp_path, rate_limits={**NO_RATE_LIMITS, "missing": (1, 10)})
    load_sample(lib.services.collection)
    lib.index()
    try:
        reader = CheckedClient(lib.app(), client=("203.0.113.7", 50000))
        answers = [reader.get("/v1/speak", params={"text": "nhà", "lang": "mww"}) for _ in range(80)]
        assert {a.json()["error"]["code"] for a in answers} == {"no_audio"}
        assert {a.status_code for a in answers} == {404}
        assert all("x-tudien-nothing-here" not in a.headers for a in answers)
        probes = [reader.get(f"/v1/entries/tyz-nope{n}").status_code for n in range(12)]
        assert probes[:10] == [404] * 10 and probes[-1] == 429  # an unknown id does count
    finally:
        lib.services.close()


def test_the_coverage_is_computed_once_a_generation_and_minute(tmp_path, monkeypatch):
    from dictionary.growth.coverage import Coverage

    lib = Library(tmp_path)
    load_sample(lib.services.collection)
    lib.index()
    try:
        clock = [1000.0]
        coverage = Coverage(lib.services.coverage.rooms, lib.services.worklist, clock=lambda: clock[0])
        scans = []
        rooms, scan = coverage.rooms, coverage.rooms.coverage
        monkeypatch.setattr(rooms, "coverage", lambda: scans.append(1) or scan())
        first = coverage.report()
        assert coverage.report() is first and len(scans) == 1
        clock[0] += 61  # pending recordings and requests change without a new generation
        assert coverage.report() == first and len(scans) == 2
    finally:
        lib.services.close()


def test_a_client_repeating_itself_keeps_its_allowance_of_misses(tmp_path):
    from dictionary.growth.demand import BURST, Counter

    lib = Library(tmp_path)
    try:
        counter = Counter(lib.store.demand)
        for _ in range(3 * BURST):  # the same miss again and again: counted once, charged once
            counter.miss("căn cước", "vie", "tyz", "192.0.2.1")
        counted = sum(counter.miss(f"từ lạ {i}", "vie", "tyz", "192.0.2.1") for i in range(BURST))
        assert counted == BURST - 1
    finally:
        lib.services.close()

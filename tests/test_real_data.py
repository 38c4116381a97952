"""Real word lists read in place from ../shared/data: imports, counts and lookups."""

import csv
import re
import unicodedata

import pytest

from corpora.importer import import_file
from dictionary.text.normalize import canonical, search_keys, search_keys_many

pytestmark = pytest.mark.shared_data


def test_hmong_forward_and_reverse(real_library):
    assert real_library.headwords("ntoo", "mww", "vie")[0] == "ntoo"
    hit = real_library.search("ntoo", "mww", "vie").hits[0]
    assert "cây" in hit.entry["senses"][0]["glosses"]["vie"] or any(
        "cây" in s["glosses"]["vie"] for s in hit.entry["senses"])
    assert (hit.match.field, hit.match.tier, hit.match.distance) == ("headword", "exact", 0)
    for query in ("cây", "cay"):
        result = real_library.search(query, "vie", "mww")
        assert "ntoo" in [h.entry["headword"] for h in result.hits], query
        assert all(h.entry["language"] == "mww" for h in result.hits)
    assert real_library.search("cay", "vie", "mww").hits[0].match.field == "gloss"


def test_reverse_lookup_without_target_spans_languages(real_library):
    languages = {h.entry["language"] for h in real_library.search("cây", "vie", limit=100).hits}
    assert {"mww", "bdq"} <= languages


def test_direction_is_inferred(real_library):
    assert real_library.headwords("ntoo")[0] == "ntoo"
    assert real_library.search("cây", target="mww").hits[0].match.field == "gloss"


def test_muong_lookup(real_library):
    assert "kiển" in real_library.headwords("kiến", "vie", "mtq")
    assert real_library.headwords("kien", "mtq")[0] == "kiển"


def test_bahnar_one_letter_typos_find_the_headword(real_library):
    """Substitution, deletion, insertion and transposition inside real headwords of five or more
    letters, sampled across the whole list."""
    rows = read_csv("bahnar/bahnaric.csv")
    words = [canonical(r[0]) for r in rows[::601] if len(canonical(r[0])) >= 5 and " " not in r[0].strip()][:40]
    edits = [
        lambda w: w[:2] + ("a" if w[2] != "a" else "o") + w[3:],
        lambda w: w[:3] + w[4:],
        lambda w: w[:3] + "h" + w[3:],
        lambda w: w[:2] + w[3] + w[2] + w[4:],
    ]
    found = total = 0
    for n, word in enumerate(words):
        typo = edits[n % len(edits)](word)
        total += 1
        found += word in [canonical(h.entry["headword"]) for h in real_library.search(typo, "bdq").hits]
    assert found >= 0.9 * total, (found, total)
    assert "hơbo" in real_library.headwords("hơbbo", "bdq")


def test_distance_two_only_when_nothing_closer(real_library):
    """Two typos in a long Bahnar headword still find it: distance 2 runs when the closer stages
    found nothing (43 of 46 sampled here)."""
    rows = read_csv("bahnar/bahnaric.csv")
    words = sorted({canonical(r[0]) for r in rows if len(canonical(r[0])) >= 9 and " " not in r[0].strip()})
    words = words[:: max(1, len(words) // 40)]
    found = total = 0
    for word in words:
        typo = word[:2] + word[3] + word[2] + word[4:6] + word[7:]  # a transposition and a deletion
        hits = real_library.search(typo, "bdq").hits
        if any(h.match.distance <= 1 for h in hits):
            continue  # the two typos landed on another word: not this test's case
        total += 1
        found += word in [canonical(h.entry["headword"]) for h in hits if h.match.tier == "fuzzy"]
    assert total >= 10 and found >= 0.8 * total, (found, total)


def test_a_full_stage_keeps_the_shortest_keys(real_library):
    """"k" starts thousands of Bahnar headwords; a stage returns only the first few dozen, and
    they must be the shortest (the index is written shortest key first for this)."""
    from dictionary.text.normalize import fold

    folded = [fold(h) for h in {canonical(r[0]) for r in read_csv("bahnar/bahnaric.csv")}]  # an entry each
    lengths = sorted(len(f) for f in folded if f.startswith("k") and f != "k")
    hits = real_library.search("k", "bdq", limit=10).hits
    got = [len(fold(h.match.text)) for h in hits if h.match.tier == "prefix"]
    assert len(lengths) > 1000 and len(got) == 10 and got == lengths[:10]


def test_fuzzy_matches_whose_diacritics_agree_come_first(real_library):
    """Among one-typo matches, those within one edit with diacritics too rank before those that
    differ only once diacritics are ignored, whether the folded stage was cut by its cap or not."""
    from rapidfuzz.distance import OSA

    from dictionary.text.normalize import search_keys

    rows = read_csv("bahnar/bahnaric.csv")
    words = sorted({canonical(r[0]) for r in rows if " " not in r[0].strip()})
    words = [w for w in words if len(w) >= 5 and search_keys(w).tone != search_keys(w).fold]
    checked = mixed = 0
    for word in words[:: max(1, len(words) // 200)]:
        query = word[:-1]  # the last letter dropped
        tone = search_keys(query).tone
        fuzzy = [h for h in real_library.search(query, "bdq", limit=30).hits
                 if h.match.tier == "fuzzy" and h.match.distance == 1]
        agree = [OSA.distance(search_keys(h.match.text).tone, tone) <= 1 for h in fuzzy]
        assert agree == sorted(agree, reverse=True), (query, [h.match.text for h in fuzzy])
        checked += bool(fuzzy)
        mixed += any(agree) and not all(agree)
    assert checked >= 100 and mixed >= 3, (checked, mixed)


def read_csv(rel, delimiter=","):
    from support import DATA

    text = (DATA / rel).read_text(encoding="utf-8-sig")
    return list(csv.reader(text.splitlines(), delimiter=delimiter))[1:]


def test_nfd_query_equals_nfc_and_tone_placement_is_ignored(real_library):
    for word in ("cây", "hòa", "người", "kơ̆i"):
        nfd = unicodedata.normalize("NFD", word)
        assert real_library.headwords(nfd) == real_library.headwords(word)
    # hoà and hòa find the same entries; each ranks its own spelling first (exact before tone)
    def same_word(q):
        hits = real_library.search(q, "vie", limit=100).hits
        return {h.entry["id"] for h in hits if h.match.tier in ("exact", "tone")}

    assert same_word("hoà") == same_word("hòa") != set()
    assert real_library.search("hoà", "vie").hits[0].match.text == "hoà"


def test_real_import_counts(real_library):
    counts = real_library.store.entries.language_counts()
    rows = read_csv("bahnar/bahnaric.csv")
    assert len(rows) == 36168
    distinct = {unicodedata.normalize("NFC", r[0]).strip() for r in rows}
    # entries group spellings that differ only in repairs (stray spaces, apostrophe look-alikes)
    assert 20_000 < counts["bdq"] <= len(distinct)
    senses = real_library.store.core.db.execute(
        "SELECT SUM(json_array_length(body, '$.senses')) FROM entries WHERE language = 'bdq'").fetchone()[0]
    assert senses + 569 == 36168  # every row is a sense, but for exact repeats merged
    assert counts["mww"] == len({canonical(r[4]) for r in read_csv("pairs/mww-vie.tsv", "\t")})


def test_lift_lotud_imports_with_every_entry_and_sense(library, shared_data):
    report = import_file(library.services.collection, shared_data / "formats/lift/Lotud.zip", "lift")
    assert (report.entries, report.senses) == (5400, 6467)
    library.index()
    hit = library.search("charcoal", "eng").hits[0]
    assert hit.entry["headword"] == "ohun" and hit.entry["language"] == "dtr"
    assert hit.entry["senses"][0]["domains"] == ["5.4.6 Ritual scar"]


def test_lift_sango_test_files(library, shared_data):
    for name in ("lexicon_good_v0.13_FW.lift", "lexicon_good_v0.15.lift"):
        report = import_file(library.services.collection, shared_data / "formats/lift" / name, "lift", language="sag",
                             dry_run=True)
        assert report.problems == []


def test_cldf_sidwellvietic_imports(library, shared_data):
    folder = shared_data / "cldf/sidwellvietic"
    report = import_file(library.services.collection, folder, "cldf")
    forms = list(csv.DictReader((folder / "forms.csv").read_text(encoding="utf-8").splitlines()))
    languages = {r["ID"]: r["ISO639P3code"]
                 for r in csv.DictReader((folder / "languages.csv").read_text(encoding="utf-8").splitlines())}
    vie_params = {f["Parameter_ID"] for f in forms if languages[f["Language_ID"]] == "vie"}
    eligible = [f for f in forms if languages[f["Language_ID"]] not in ("", "vie") and f["Parameter_ID"] in vie_params]
    assert report.records == 3218
    assert report.senses == len(eligible)
    assert report.entries == len({(f["Language_ID"], canonical(f["Form"])) for f in eligible})
    library.index()
    result = library.search("tôi", "vie", "mtq", limit=50)
    assert result.hits and all(h.entry["language"] == "mtq" for h in result.hits)
    assert result.hits[0].entry["provenance"]["licence"].startswith("https://creativecommons.org/licenses/by/4.0")


def test_batched_keys_are_the_keys_one_by_one_on_every_word_list(shared_data):
    texts: dict[str, None] = {}
    for path in sorted(shared_data.rglob("*")):
        if path.suffix in (".csv", ".tsv", ".txt") and path.is_file():
            for line in path.read_text(encoding="utf-8-sig").splitlines():
                texts.update(dict.fromkeys(cell for cell in re.split(r"[\t,;/]", line) if cell))
    texts_list = list(texts)
    assert len(texts_list) > 100_000
    assert search_keys_many(texts_list) == [search_keys(t) for t in texts_list]


def test_exact_or_not_is_said_with_what_was_probably_meant(real_library):
    """A query with full diacritics that no entry gives is not presented as found: no exact
    match, approximate results marked, and the dictionary's nearest words offered."""
    client = real_library.client()
    body = client.get("/v1/search", params={"q": "căn cước", "from": "vie", "to": "bdq"}).json()
    assert body["exact_matches"] == 0 and body["total"] > 0
    assert not any(r["match"]["exact"] for r in body["results"])
    assert body["did_you_mean"] and "căn cước" not in body["did_you_mean"]
    # a slip of the finger: the word meant is offered, the commonest spelling of it first
    body = client.get("/v1/search", params={"q": "nhàa", "from": "vie", "to": "bdq"}).json()
    assert body["exact_matches"] == 0 and body["did_you_mean"][0] == "nhà"
    # typed as written, or without any diacritics, or by Telex: exact, counted, first
    for q in ("nhà", "nha", "nhaf"):
        body = client.get("/v1/search", params={"q": q, "from": "vie", "to": "bdq", "limit": 50}).json()
        flags = [r["match"]["exact"] for r in body["results"]]
        assert body["exact_matches"] > 10 and body["did_you_mean"] == [], q
        assert flags == sorted(flags, reverse=True) and sum(flags) == min(50, body["exact_matches"]), q
    nothing = client.get("/v1/search", params={"q": "xyzqw"}).json()
    assert (nothing["total"], nothing["exact_matches"], nothing["did_you_mean"]) == (0, 0, [])


def test_main_meanings_come_first(real_library):
    """"nhà" in Vietnamese to Bahnar: words meaning mainly "house" before words glossed by dozens
    of meanings one of which is "nhà"."""
    hits = real_library.search("nhà", "vie", "bdq", limit=10).hits
    assert len(hits) == 10 and all(h.match.tier in ("exact", "tone") for h in hits)
    assert max(len(h.entry["senses"]) for h in hits) <= 50
    assert "hnam" in real_library.headwords("nhà", "vie", "bdq", limit=40)

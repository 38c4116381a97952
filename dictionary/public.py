"""What the public reads of an entry and of a clip: the one shape the API's responses, the change
feed and the offline packs all give (the API's schemas declare it; the builders are here, so that
every reader gets the same text)."""

from __future__ import annotations

from dictionary import languages

_SENSE_OPTIONAL = ("definitions", "examples", "domains", "pos", "notes")


def sense_public(sense: dict) -> dict:
    out = {"glosses": sense.get("glosses", {})}
    for key in _SENSE_OPTIONAL:
        if sense.get(key):
            out[key] = sense[key]
    return out


def entry_url(entry_id: str) -> str:
    return f"/v1/entries/{entry_id}"


def entry_public(entry: dict) -> dict:
    """An entry (a raw dict as the store keeps it) as the public reads it."""
    prov = entry.get("provenance", {})
    extra = entry.get("extra") or {}
    variety = extra.get("variety") or extra.get("dialect")
    return {
        "id": entry["id"],
        "language": entry["language"],
        "language_name": languages.name(entry["language"]),
        **({"variety": variety} if isinstance(variety, str) and variety else {}),
        "headword": entry["headword"],
        "variants": entry.get("variants", []),
        "pos": entry.get("pos"),
        "ipa": entry.get("ipa"),
        "senses": [sense_public(s) for s in entry.get("senses", ())],
        "status": entry.get("status", "draft"),
        "authority": entry.get("authority"),
        "source": {
            "dataset": prov.get("dataset"),
            "citation": prov.get("citation"),
            "licence": prov.get("licence"),
            "file": prov.get("source_file"),
            "location": prov.get("location"),
        },
        "url": entry_url(entry["id"]),
    }


def clip_view(row: dict) -> dict:
    """A catalogued clip as responses and pages show it (:func:`clip_public` adds where to fetch it)."""
    return {
        "id": row["id"],
        "kind": row["kind"],
        "speaker": row.get("speaker"),
        "sex": row.get("sex"),
        "dialect": row.get("dialect"),
        "licence": row.get("licence"),
        "attribution": row.get("attribution"),
        "recorded_on": row.get("recorded_on"),
        "engine": row.get("engine"),
        "voice": row.get("voice"),
        "approximate": bool(row.get("approximate")),
        "duration_ms": row.get("duration_ms"),
        "content_type": row.get("playback_type"),
    }


def clip_public(clip: dict, entry_id: str | None = None) -> dict:
    """A clip of the pronunciation library with the URL to fetch it: the file once it exists, else
    (synthetic speech not made yet) the entry's pronunciation, which makes it on first play."""
    if clip["id"] is not None:
        url = f"/v1/audio/{clip['id']}"
    else:
        assert entry_id is not None, "a clip not made yet is made from its entry"
        url = f"{entry_url(entry_id)}/pronunciation?play=1"
    return {"url": url, **clip}


def published_entry(entry: dict, recordings: list[dict]) -> dict:
    """A published entry as the change feed and the offline packs give it: its public text and
    its recordings (catalogue rows; synthetic speech is made on demand and is no part of it)."""
    return {**entry_public(entry), "audio": [clip_public(clip_view(row)) for row in recordings]}


def match_public(match) -> dict:
    """How a search result matched (a :class:`~dictionary.search.service.Match`)."""
    out = {"field": match.field, "tier": match.tier, "distance": match.distance, "text": match.text,
           "exact": match.exact}
    if match.decoded is not None:
        out["decoded"] = match.decoded
    if match.language:
        out["language"] = match.language
    return out

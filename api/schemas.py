"""The API's request and response schemas, and the functions that build each response body.

The models are the truth of what is sent: every route declares its model (and its error
answers), the OpenAPI document is made from them, and the test suite validates every body it
receives against the declared model.  ``extra="forbid"`` makes a field the builders add but the
model lacks a failure, not a silent lie.  Bodies are built as plain dicts and sent with orjson
(validating each response in production would cost more than an embedded search); empty sense
fields are left out to keep responses small for the mobile app.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from dictionary.public import clip_public, entry_public, entry_url, match_public, sense_public
from dictionary.search.service import Hit
from dictionary.search.translate import MAX_TARGETS, MAX_TEXT
from dictionary.text.normalize import PLAIN_TEXT, VISIBLE, WRITTEN_TEXT


class _Public(BaseModel):
    model_config = ConfigDict(extra="forbid")


# -- errors -----------------------------------------------------------------------------------------

class ErrorDetail(_Public):
    status: int
    code: str = Field(description="machine-readable, e.g. invalid_query, not_found, backend_unavailable")
    message: str = Field(description="what to change, in Vietnamese")
    field: str | None = Field(None, description="the field of the request that is wrong, e.g. senses[0].glosses")
    current_revision: int | None = Field(None, description="412: the entry's revision now; read it again")


class ErrorPublic(_Public):
    """Every error, whatever its status."""

    error: ErrorDetail


ERROR_TEXT = {
    400: "yêu cầu không đọc được",
    401: "cần đăng nhập (Authorization: Bearer hoặc X-API-Key)",
    403: "tài khoản không có quyền này, hoặc không với ngôn ngữ này",
    404: "không có",
    405: "phương thức không được hỗ trợ",
    409: "trạng thái hiện tại không cho phép thao tác này",
    410: "nhật ký thay đổi không còn tới con trỏ này: hãy tải lại gói ngôn ngữ",
    411: "thiếu Content-Length",
    412: "mục từ đã được người khác sửa (If-Match cũ)",
    413: "tệp hay nội dung quá lớn",
    415: "không phải tệp âm thanh dùng được",
    416: "đoạn (Range) không phục vụ được",
    422: "tham số không hợp lệ",
    428: "thiếu If-Match",
    429: "quá nhiều yêu cầu",
    503: "máy tìm kiếm hay giọng đọc tạm thời không dùng được",
}


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The ``responses`` of a route: each status it may answer with an error, in the one shape."""
    return {status: {"model": ErrorPublic, "description": ERROR_TEXT[status]} for status in statuses}


# -- entries ----------------------------------------------------------------------------------------

class ExamplePublic(_Public):
    text: str
    translations: dict[str, str] = Field(default_factory=dict)
    source: str | None = None


class SensePublic(_Public):
    glosses: dict[str, list[str]] = Field(description="glosses by ISO 639-3 code")
    definitions: dict[str, str] | None = None
    examples: list[ExamplePublic] | None = None
    domains: list[str] | None = None
    pos: str | None = None
    notes: list[str] | None = None


class SenseDetail(SensePublic):
    location: str | None = Field(None, description="file:line or element path of the source row")
    extra: dict[str, Any] | None = Field(None, description="what the source held that has no field here")


class SourcePublic(_Public):
    dataset: str
    citation: str | None = None
    licence: str | None = None
    file: str | None = None
    location: str | None = None


class MatchPublic(_Public):
    field: Literal["headword", "variant", "gloss", "romanized"]
    tier: Literal["exact", "tone", "fold", "decoded", "prefix", "words", "fuzzy"]
    decoded: str | None = Field(None, description="how a Telex/VNI-typed query was read, when that matched")
    distance: int
    text: str
    language: str | None = Field(None, description="the gloss's language, for a gloss match")
    exact: bool = Field(description="the text is the query as typed: the same letters and diacritics "
                                    "(tone marks placed either way); for a query typed without diacritics, "
                                    "any; or a Telex/VNI reading of the query")


class ClipPublic(_Public):
    """A pronunciation clip: a native speaker's recording, or synthetic speech (labelled)."""

    id: str | None = Field(description="None: synthetic speech not made yet; its url makes it on first play")
    url: str
    kind: Literal["recording", "synthetic"]
    speaker: str | None = None
    sex: str | None = None
    dialect: str | None = None
    licence: str | None = None
    attribution: str | None = None
    recorded_on: str | None = None
    engine: str | None = Field(None, description="gtts or espeak-ng, for synthetic speech")
    voice: str | None = None
    approximate: bool = Field(description="a voice of another language reading this one")
    duration_ms: int | None = None
    content_type: str | None = None


class EntryPublic(_Public):
    id: str
    language: str
    language_name: str = Field(description="the language's name in Vietnamese (its English name where there is none)")
    variety: str | None = Field(None, description="the variety or dialect the source names, e.g. Mường [Hoa Binh]")
    headword: str
    variants: list[str]
    pos: str | None = None
    ipa: str | None = None
    senses: list[SensePublic]
    status: str
    authority: str | None = Field(None, description="the decision or standard that fixed the term")
    source: SourcePublic
    url: str


class ResultPublic(EntryPublic):
    match: MatchPublic
    audio: list[ClipPublic]


class QueryEcho(_Public):
    q: str
    from_: str | None = Field(alias="from")
    to: str | None
    limit: int
    offset: int


class SearchPublic(_Public):
    query: QueryEcho
    total: int
    exact_matches: int = Field(description="how many of the total match the query as typed (see match.exact); "
                                           "they come first. Like total, counted among the closest matches "
                                           "looked at for this page (at least 40, four times offset+limit)")
    did_you_mean: list[str] = Field(description="when exact_matches is 0: up to 3 words of the dictionary "
                                                "the query most likely meant, nearest first")
    results: list[ResultPublic]
    stale: bool | None = Field(None, description="true when the search index is behind the dictionary's "
                                                 "store: recent changes may be missing (also the "
                                                 "X-Index-Stale header)")


class SuggestionItem(_Public):
    text: str
    language: str = Field(description="the language the text is in (ISO 639-3)")
    language_name: str
    meaning: str | None = Field(None, description="a headword's first Vietnamese glosses, or the word a gloss "
                                                  "translates, with its language")


class SuggestPublic(_Public):
    suggestions: list[str]
    items: list[SuggestionItem] = Field(description="the same completions, each with its language and meaning")


class MediaRefPublic(_Public):
    href: str
    label: str | None = None
    form: str | None = None


class EntryDetail(EntryPublic):
    senses: list[SenseDetail]
    pronunciations: list[MediaRefPublic]
    extra: dict[str, Any]
    audio: list[ClipPublic]
    revision: int = Field(description="the revision shown; its ETag is \"r<revision>\"")
    published_revision: int | None = Field(description="the revision the public reads (None: none)")
    pending: bool = Field(description="true: this revision waits for review; the public reads the published one")


# -- editing ----------------------------------------------------------------------------------------

def _written(limit: int, description: str | None = None):
    """A required text: one visible character at least, no control characters."""
    return Field(max_length=limit, pattern=WRITTEN_TEXT, description=description)


def _plain(limit: int, description: str | None = None):
    """An optional text (blank is the same as absent)."""
    return Field(None, max_length=limit, pattern=PLAIN_TEXT, description=description)


Written = Annotated[str, Field(max_length=500, pattern=WRITTEN_TEXT)]
Plain = Annotated[str, Field(max_length=500, pattern=PLAIN_TEXT)]


class ExampleWrite(_Public):
    text: str = _written(1000)
    translations: dict[str, Annotated[str, Field(max_length=1000, pattern=WRITTEN_TEXT)]] = Field(
        default_factory=dict, description="bản dịch theo mã ngôn ngữ")
    source: str | None = _plain(500)


class SenseWrite(_Public):
    glosses: dict[str, Annotated[list[Written], Field(min_length=1, max_length=100)]] = Field(
        min_length=1, description="nghĩa dịch theo mã ngôn ngữ, ví dụ {\"vie\": [\"nước\"]}")
    definitions: dict[str, Annotated[str, Field(max_length=4000, pattern=WRITTEN_TEXT)]] = Field(default_factory=dict)
    examples: list[ExampleWrite] = Field(default_factory=list, max_length=50)
    domains: list[Annotated[str, Field(max_length=100, pattern=PLAIN_TEXT)]] = Field(default_factory=list,
                                                                                    max_length=20)
    notes: list[Annotated[str, Field(max_length=2000, pattern=PLAIN_TEXT)]] = Field(default_factory=list,
                                                                                   max_length=20)
    pos: str | None = _plain(50)


class EntryWrite(_Public):
    """An entry as a contributor writes it; the service keeps its id, source and recordings."""

    language: str = Field(max_length=3, description="mã ISO 639-3 của ngôn ngữ mục từ, ví dụ bdq")
    headword: str = _written(200, "mục từ, đúng như cách viết của ngôn ngữ")
    variants: list[Annotated[str, Field(max_length=200, pattern=WRITTEN_TEXT)]] = Field(default_factory=list,
                                                                                       max_length=50)
    pos: str | None = _plain(50)
    ipa: str | None = _plain(200)
    senses: list[SenseWrite] = Field(default_factory=list, max_length=100)
    authority: str | None = _plain(300, "quyết định hay tiêu chuẩn đã xác định thuật ngữ (số, ngày)")
    comment: str | None = _plain(2000, "ghi chú cho người duyệt")


class StatusWrite(_Public):
    status: Literal["draft", "review", "published", "retired"]
    comment: str | None = _plain(2000)


class RevertWrite(_Public):
    revision: int = Field(ge=1, le=2**31)
    comment: str | None = _plain(2000)


class RevisionPublic(_Public):
    revision: int
    author: str
    at: str
    status: str
    comment: str | None
    changes: list[str] = Field(description="what changed: field paths, or [\"created\"]")


class HistoryPublic(_Public):
    entry: str
    revisions: list[RevisionPublic]


class RevisionDetail(RevisionPublic):
    content: dict[str, Any] = Field(description="the entry as this revision had it")


class ReviewItem(_Public):
    id: str
    language: str
    headword: str
    revision: int
    published_revision: int | None
    author: str
    at: str
    comment: str | None
    url: str


class ReviewPublic(_Public):
    entries: list[ReviewItem]


class SuggestionWrite(_Public):
    text: str = _written(2000, "điều cần sửa, tối đa 2.000 ký tự")
    contact: str | None = _plain(200, "cách liên lạc lại (không bắt buộc)")


class SuggestionReceived(_Public):
    id: int
    status: Literal["open"]


class SuggestionPublic(_Public):
    id: int
    entry: str
    language: str
    text: str
    contact: str | None
    at: str
    status: Literal["open", "accepted", "dismissed"]
    resolved_by: str | None
    resolved_at: str | None
    comment: str | None
    url: str


class SuggestionsPublic(_Public):
    suggestions: list[SuggestionPublic]


class ResolveWrite(_Public):
    status: Literal["accepted", "dismissed"]
    comment: str | None = _plain(2000)


class AuditRecord(_Public):
    id: int
    at: str
    actor: str
    client: str | None
    action: str
    target: str | None
    detail: dict[str, Any] | None


class AuditPublic(_Public):
    records: list[AuditRecord]


# -- audio ------------------------------------------------------------------------------------------

class UploadPublic(_Public):
    clip: ClipPublic
    created: bool = Field(description="false: the same file was already stored for this entry")


class EntryAudioPublic(_Public):
    entry: str
    audio: list[ClipPublic]


class DeletedPublic(_Public):
    id: str
    files_removed: int


class PronunciationPublic(_Public):
    entry: str
    clip: ClipPublic


class SpeechPublic(_Public):
    text: str
    lang: str
    clip: ClipPublic


# -- translation ------------------------------------------------------------------------------------

class TranslateRequest(_Public):
    text: str = Field(description=f"văn bản tiếng Việt (tối đa {MAX_TEXT} ký tự)", min_length=1,
                      max_length=MAX_TEXT, pattern=VISIBLE)
    to: list[str] = Field(description=f"các ngôn ngữ đích (tối đa {MAX_TARGETS}), mã ISO 639-3, ví dụ [\"mww\", \"bdq\"]",
                          min_length=1, max_length=MAX_TARGETS)


class EquivalentRef(_Public):
    id: str
    headword: str
    url: str
    meaning: str | None = Field(None, description="what else the word means, in Vietnamese, or that it means only this term")


class Equivalent(EquivalentRef):
    dataset: str | None = Field(None, description="the dataset the entry comes from")
    audio: list[ClipPublic]


class TermPart(_Public):
    text: str
    equivalents: dict[str, list[EquivalentRef]]


class TermPublic(_Public):
    text: str
    start: int
    end: int
    equivalents: dict[str, list[Equivalent]]
    gaps: list[str] = Field(description="target languages with no equivalent")
    function_word: bool = Field(description="a function word (và, là, của…): pages fold these away; never a gap")
    parts: list[TermPart] | None = Field(None, description="of a gap of several syllables: those the dictionary knows")


class GlossaryPublic(_Public):
    to: list[str]
    terms: list[TermPublic]
    gaps: list[str] = Field(description="the terms that lack an equivalent in some language")


# -- offline packs and the change feed ----------------------------------------------------------------

class AudioPackPublic(_Public):
    url: str
    bytes: int
    sha256: str
    recordings: int
    content_type: str = Field(description="each recording's type: mono Opus in Ogg")


class PackPublic(_Public):
    language: str
    language_name: str
    entries: int
    version: int = Field(description="the change-feed position the pack reflects: ask /v1/changes?since= it")
    schema_: int = Field(alias="schema", description="the pack's schema version (dictionary/packs/packs.md)")
    store: str = Field(description="the store the version belongs to: another store's pack starts over")
    bytes: int = Field(description="the SQLite file")
    sha256: str = Field(description="of the SQLite file, as it is once decompressed")
    gzip_bytes: int = Field(description="on the wire, with Accept-Encoding: gzip")
    built_at: str
    url: str
    audio: AudioPackPublic | None = None


class PacksPublic(_Public):
    packs: list[PackPublic]


class PublishedEntry(EntryPublic):
    audio: list[ClipPublic] = Field(description="its recordings (synthetic speech is made on demand)")


class IndexRows(_Public):
    row: int = Field(description="the entry's row in the store (ties in the ranking are broken by it)")
    meanings: int | None = None
    keys: list[list[Any]] | None = Field(None, description="[field, gloss language or '', position, exact, tone, "
                                                         "fold] per key, in the index's order")


class ChangePublic(_Public):
    seq: int
    id: str
    language: str | None = Field(description="whose readers the change concerns (null: every language's)")
    op: Literal["upsert", "delete"]
    entry: PublishedEntry | None = None
    index: IndexRows | None = Field(None, description="with include=index: the rows an offline pack or another "
                                                    "index needs")


class ChangesPublic(_Public):
    changes: list[ChangePublic]
    next: int = Field(description="ask from here next")
    more: bool = Field(description="true: the limit cut the page; ask again from next at once")
    store: str


# -- health -----------------------------------------------------------------------------------------

class StoreHealth(_Public):
    ok: bool = Field(description="false: the database does not answer (see error)")
    kind: str = Field(description="sqlite or postgresql")
    entries: int | None = None
    generation: int | None = None
    error: str | None = None


class HealthPublic(_Public):
    status: Literal["ok", "stale", "unavailable"]
    store: StoreHealth
    index: dict[str, Any] = Field(description="the engine's own report: ok, engine, generation, …")


# -- building bodies --------------------------------------------------------------------------------

def entry_detail(entry: dict, clips: list[dict], view=None) -> dict:
    """The whole entry; with ``view`` (an :class:`~dictionary.editorial.editing.EntryView`), its revision."""
    out = entry_public(entry)
    out["senses"] = [
        {**sense_public(s), **({"location": s["location"]} if s.get("location") else {}),
         **({"extra": s["extra"]} if s.get("extra") else {})}
        for s in entry.get("senses", ())
    ]
    out["pronunciations"] = entry.get("pronunciations", [])
    out["extra"] = entry.get("extra", {})
    out["audio"] = clips
    out["revision"] = view.revision if view is not None else 1
    out["published_revision"] = view.published_revision if view is not None else None
    out["pending"] = view.pending if view is not None else False
    return out


def suggestion_public(row: dict) -> dict:
    return {"id": row["id"], "entry": row["entry_id"], "language": row["language"], "text": row["text"],
            "contact": row["contact"], "at": row["at"], "status": row["status"],
            "resolved_by": row["resolved_by"], "resolved_at": row["resolved_at"], "comment": row["comment"],
            "url": entry_url(row["entry_id"])}


def hit_public(hit: Hit, clips: list[dict]) -> dict:
    out = entry_public(hit.entry)
    out["match"] = match_public(hit.match)
    out["audio"] = clips
    return out


def clips_public(by_entry: dict[str, list[dict]]) -> dict[str, list[dict]]:
    """``AudioLibrary.clips_for``'s answer with URLs."""
    return {entry_id: [clip_public(c, entry_id) for c in clips] for entry_id, clips in by_entry.items()}


def glossary_entries(glossary) -> list[dict]:
    """Every entry a glossary names, once (to list their audio in one go)."""
    seen: dict[str, dict] = {}
    for t in glossary.terms:
        for code in glossary.targets:
            for e in t.equivalents[code]:
                seen.setdefault(e["id"], e)
    return list(seen.values())


def _ref(e: dict) -> dict:
    return {"id": e["id"], "headword": e["headword"], "url": f"/e/{e['id']}",
            **({"meaning": e["meaning"]} if e.get("meaning") else {})}


def glossary_public(glossary, clips: dict[str, list[dict]] | None = None) -> dict:
    """A :class:`dictionary.search.translate.Glossary` as the API and the workbench show it, with each
    equivalent's audio when ``clips`` (public clips by entry id) is given."""
    clips = clips or {}
    return {
        "to": glossary.targets,
        "terms": [{
            "text": t.text, "start": t.start, "end": t.end,
            "equivalents": {code: [{**_ref(e), **({"dataset": e["dataset"]} if e.get("dataset") else {}),
                                    "audio": clips.get(e["id"], [])}
                                   for e in t.equivalents[code]] for code in glossary.targets},
            "gaps": t.gaps,
            "function_word": t.function_word,
            **({"parts": [{"text": part.text, "equivalents": {
                code: [_ref(e) for e in part.equivalents[code]] for code in glossary.targets}}
                for part in t.parts]} if t.parts else {}),
        } for t in glossary.terms],
        "gaps": glossary.gaps,
    }

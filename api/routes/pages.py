"""The pages: search at ``/``, an entry at ``/e/{id}``, the translation workbench at ``/dich``.

Server-rendered, so results are readable without JavaScript; a small script adds live
suggestions and the special-letter row.  No build step."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import quote

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape
from starlette.concurrency import run_in_threadpool

from dictionary import languages
from dictionary.collection import Collection
from dictionary.editorial import editing
from dictionary.editorial.accounts import Role
from dictionary.errors import DatasetNotFound, DictionaryError
from dictionary.model import EDITORS_DATASET
from dictionary.search.indexing import texts_of
from dictionary.search.queries import MAX_OFFSET
from dictionary.search.ranking import Field
from dictionary.search.senses import lead_matched
from dictionary.text.normalize import fold

from ..deps import (
    AudioDep,
    CollectionDep,
    DemandDep,
    EditingDep,
    GateDep,
    SearchDep,
    TranslatorDep,
    client_of,
    run,
)
from ..export import ExportContext, glossary_csv, glossary_docx
from ..ratelimit import refusal
from ..schemas.audio import clips_public
from ..schemas.entries import entry_detail
from ..schemas.search import hit_public
from ..schemas.translate import glossary_entries, glossary_public
from ..session import csrf_token, keep_csrf, reader_of

HERE = Path(__file__).resolve().parent.parent
templates = Jinja2Templates(directory=HERE / "templates")
router = APIRouter(include_in_schema=False)

PAGE_SIZE = 20

# Letters a keyboard does not offer, per language (tapped into the search box); a language
# written in plain Latin letters (H'Mông) has none.
SPECIAL_LETTERS = {
    "vie": "ă â đ ê ô ơ ư",
    "bdq": "ă â ĕ ê ĭ ô ŏ ơ ơ̆ ŭ ư ư̆ đ",
    "jra": "ă â ƀ č đ ĕ ê ê̆ ĭ ñ ŏ ô ô̆ ơ ơ̆ ŭ ư ư̆",  # the letters of its alphabet (dictionary/languages.py)
    "rad": "ă â ƀ č đ ĕ ê ê̆ ĭ ñ ŏ ô ô̆ ơ ơ̆ ŭ ư ư̆",
    "kpm": "ă â ĕ ê ĭ ô ŏ ơ ơ̆ ŭ ư ư̆ đ",
    "mtq": "ă â đ ê ô ơ ư",
    "tyz": "ă â đ ê ô ơ ư",
    "cja": "ꨀ ꨁ ꨂ ꨃ ꨆ ꨌ ꨓ ꨚ ꨠ",
    "khm": "ក ខ គ ង ច ា ិ ី ុ ូ េ ែ ្",
}
STATUS_WORDS = {status.value: words for status, words in editing.STATUS_WORDS.items()}
STATUS_MEANING = {
    "published": "Nội dung này đã được biên tập viên duyệt, hoặc được nhập nguyên văn từ bộ dữ liệu ghi ở mục "
                 "Nguồn; mọi thay đổi sau đó đều qua duyệt và được ghi trong lịch sử.",
    # on an entry's page, which of the two applies
    "published-reviewed": "Nội dung này đã được biên tập viên sửa và duyệt; mọi thay đổi sau đó đều qua duyệt và "
                          "được ghi trong lịch sử.",
    "published-imported": "Nội dung này được nhập nguyên văn từ bộ dữ liệu ghi ở mục Nguồn, đúng như nguồn đã công "
                          "bố; chưa biên tập viên nào sửa hay duyệt lại. Mọi thay đổi về sau đều qua duyệt và được "
                          "ghi trong lịch sử.",
    "review": "Bản sửa này chưa được biên tập viên chấp thuận; công chúng vẫn đọc bản đã công bố.",
    "draft": "Đang được soạn, chỉ người soạn thảo của ngôn ngữ này thấy; công chúng không thấy.",
    "retired": "Mục từ không còn được công bố; lịch sử của nó vẫn được giữ.",
}
SENSES_SHOWN = 3  # a result shows this many senses; the rest behind "xem thêm"
# Licences named by their SPDX identifier, and where each is written.
LICENCES = {
    "cc-by-4.0": "https://creativecommons.org/licenses/by/4.0/",
    "cc-by-sa-4.0": "https://creativecommons.org/licenses/by-sa/4.0/",
    "cc-by-sa-3.0": "https://creativecommons.org/licenses/by-sa/3.0/",
    "cc-by-3.0": "https://creativecommons.org/licenses/by/3.0/",
    "cc-by-nc-4.0": "https://creativecommons.org/licenses/by-nc/4.0/",
    "cc0-1.0": "https://creativecommons.org/publicdomain/zero/1.0/",
    "apache-2.0": "https://www.apache.org/licenses/LICENSE-2.0",
    "mit": "https://opensource.org/license/mit",
    "odbl-1.0": "https://opendatacommons.org/licenses/odbl/1-0/",
}
_URL = re.compile(r"(https?://[^\s<>\"']+[^\s<>\"'.,;:)\]])|\b(10\.\d{4,9}/[^\s<>\"']+[^\s<>\"'.,;:)\]])")


def linked(text: str | None) -> Markup:
    """``text``, escaped, with its web addresses and DOIs made links."""
    if not text:
        return Markup("")
    out, last = [], 0
    for match in _URL.finditer(text):
        out.append(escape(text[last:match.start()]))
        url = match.group(1) or f"https://doi.org/{match.group(2)}"
        out.append(Markup('<a href="{}" rel="noopener">{}</a>').format(url, match.group(0)))
        last = match.end()
    out.append(escape(text[last:]))
    return Markup("").join(out)


def licence_link(licence: str | None) -> Markup:
    """A licence as a link: its own address, or the address of the SPDX licence it names."""
    if not licence:
        return Markup("")
    url = LICENCES.get(licence.strip().lower())
    if url:
        return Markup('<a href="{}" rel="license noopener">{}</a>').format(url, licence)
    if _URL.fullmatch(licence.strip()):
        return Markup('<a href="{}" rel="license noopener">{}</a>').format(licence.strip(), _licence_name(licence))
    return linked(licence)


templates.env.trim_blocks = templates.env.lstrip_blocks = True
templates.env.auto_reload = False  # compiled once: no look at the files' times on every page
templates.env.globals.update(linked=linked, licence_link=licence_link)  # every page may cite a source


def language_tag(code: str) -> str:
    """The BCP 47 tag of a language for ``lang`` attributes (``km`` for Khmer, else its code)."""
    try:
        return languages.get(code).tag
    except DictionaryError:
        return code


templates.env.globals.update(tag=language_tag)


def _licence_name(url: str) -> str:
    for name, known in LICENCES.items():
        if url.strip().rstrip("/") == known.rstrip("/"):
            return name.upper().replace("CC-", "CC ").replace("-", " ")
    return url


def difference(match: dict, query: str) -> str:
    """What tells a result apart from the query, in words."""
    tier, text = match["tier"], match["text"]
    if tier == "exact":
        return "khớp đúng"
    if tier == "tone":
        return "khớp đúng (dấu thanh đặt ở chỗ khác)"
    if tier == "fold":
        return "khớp khi bỏ dấu" if match["exact"] else f"khác dấu: «{text}», không phải «{query}»"
    if tier == "decoded":
        read = f"đọc theo kiểu gõ Telex/VNI là «{match.get('decoded')}»"
        return read if match["exact"] else f"{read}, khác dấu: «{text}»"
    if tier == "prefix":
        return f"chỉ bắt đầu bằng «{query}»: «{text}»"
    if tier == "words":
        return f"chứa các tiếng của «{query}»: «{text}»"
    letters = match["distance"]
    return f"khác {letters} chữ: «{text}»" if letters else f"gần giống: «{text}»"


def _language_options(request: Request) -> list[dict]:
    """Vietnamese, then the languages with entries, then those without (``empty``), each group
    by Vietnamese name."""
    full, empty = request.app.state.services.catalogue.menu()
    return [{"code": code, "name": languages.name(code), "empty": code in empty}
            for code in (languages.VIETNAMESE, *full, *empty)]


def _context(request: Request, search, **values) -> dict:
    return {"request": request, "languages": _language_options(request), "letters": SPECIAL_LETTERS,
            "status_words": STATUS_WORDS, "status_meaning": STATUS_MEANING, "name": languages.name,
            "reader": reader_of(request), "csrf": csrf_token(request), **values}


def render(request: Request, name: str, context: dict, status_code: int = 200,
           headers: dict[str, str] | None = None) -> Response:
    """A page, with the browser's CSRF cookie set when this page made its token."""
    return keep_csrf(request, templates.TemplateResponse(request, name, context, status_code=status_code,
                                                         headers=headers))


def error_page(request: Request, status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """An error of a page route, as a page in Vietnamese (the API answers JSON)."""
    search = request.app.state.services.search
    return render(request, "thong-bao.html", _context(request, search, message=message, status=status),
                  status_code=status, headers=headers)


@router.get("/favicon.ico")
async def favicon():
    return FileResponse(HERE / "static" / "favicon.svg", media_type="image/svg+xml",
                        headers={"Cache-Control": "public, max-age=604800"})


def _sections(results: list[dict], query: str) -> list[dict]:
    """The page's results as sections (exact matches, then approximate ones), each grouped by
    language in the order the ranking first reaches it; a language's first group is its anchor
    (``nhom-{code}``).  Each result's senses are put in the order it shows them (``shown``: the
    senses the query matched first)."""
    sections, anchored = [], set()
    for exact, title in ((True, "Khớp đúng"), (False, "Kết quả gần đúng")):
        groups: dict[str, dict] = {}
        for r in results:
            if r["match"]["exact"] is exact:
                r["why"] = difference(r["match"], query)
                r["shown"] = lead_matched(r["senses"], r["match"])
                groups.setdefault(r["language"], {"code": r["language"], "name": r["language_name"],
                                                  "anchor": r["language"] not in anchored,
                                                  "results": []})["results"].append(r)
                anchored.add(r["language"])
        if groups:
            sections.append({"exact": exact, "title": title, "groups": list(groups.values())})
    return sections


def _overview(sections: list[dict]) -> list[dict]:
    """A line per language for a phone's first screen: each language of the page once, in the
    order the page reaches it, with its best result's headword (and its first meaning shown)."""
    out: dict[str, dict] = {}
    for section in sections:
        for group in section["groups"]:
            if group["code"] not in out:
                best = group["results"][0]
                shown = best["shown"][0]["glosses"].get(languages.VIETNAMESE) if best["shown"] else None
                out[group["code"]] = {"code": group["code"], "name": group["name"], "headword": best["headword"],
                                      "meaning": (shown or [None])[0], "exact": section["exact"]}
    return list(out.values())


@router.get("/", response_class=HTMLResponse)
async def search_page(request: Request, search: SearchDep, audio: AudioDep, gate: GateDep,
                      collection: CollectionDep, demand: DemandDep, q: str | None = None,
                      source: str | None = Query(None, alias="from"),
                      target: str | None = Query(None, alias="to"),
                      page: int = Query(1, alias="trang", ge=1, le=MAX_OFFSET // PAGE_SIZE + 1)):
    found, results, error = None, [], None
    if q and q.strip():  # a box left empty (or holding spaces) is no error: there is nothing to look up yet
        try:
            found = await run(gate, search, search.search, q, source or None, target or None, PAGE_SIZE,
                              (page - 1) * PAGE_SIZE)
            entries = [h.entry for h in found.hits]
            clips = clips_public(audio.clips_for(entries))
            resting = audio.resting_voices([e for e in entries if not clips[e["id"]]])
            results = [hit_public(h, clips[h.entry["id"]]) | {"voice_resting": h.entry["id"] in resting}
                       for h in found.hits]
            titles = dataset_titles(collection)
            for r in results:
                r["source"]["title"] = titles.get(r["source"]["dataset"], r["source"]["dataset"])
            if not found.exact_matches and page == 1:  # in memory; written later, off this path
                demand.miss(q, found.query["from"], found.query["to"], client_of(request))
        except DictionaryError as exc:
            error = str(exc)
    query = found.query["q"] if found else (q or "").strip()
    pages = 0 if found is None else -(-min(found.total, MAX_OFFSET + PAGE_SIZE) // PAGE_SIZE)
    sections = _sections(results, query)
    return render(request, "search.html", _context(
        request, search, q=q or "", query=query, source=source or "", target=target or "",
        found=found, sections=sections, overview=_overview(sections), error=error, page=page, pages=pages,
        page_size=PAGE_SIZE, senses_shown=SENSES_SHOWN, plain=fold(query) if query else ""))


@router.get("/e/{entry_id}", response_class=HTMLResponse)
async def entry_page(request: Request, search: SearchDep, collection: CollectionDep, audio: AudioDep, editing: EditingDep,
                     demand: DemandDep, entry_id: str, thanks: bool = Query(False, alias="da-gop-y"),
                     came_from: str | None = Query(None, alias="nghia", max_length=4)):
    """An entry, its senses in the source's order; ``nghia`` (from a result) highlights the sense
    the reader's query matched (a number the entry has no sense for highlights none: a link from
    before an edit still opens the entry)."""
    raw = collection.entry(entry_id).model_dump(mode="json")
    demand.lookup(entry_id, client_of(request))
    clips = clips_public(audio.clips_for([raw]))[entry_id]
    entry = entry_detail(raw, clips)
    entry["source"]["title"] = dataset_titles(collection).get(entry["source"]["dataset"], entry["source"]["dataset"])
    entry["reviewed"] = editing.state(entry_id).edited_at is not None  # an editor changed it since its import
    address = public_address(request, f"/e/{quote(entry_id)}")
    number = int(came_from) if came_from and came_from.isdecimal() and came_from.isascii() else 0
    sense = number if 1 <= number <= len(entry["senses"]) else None
    return render(request, "entry.html", _context(
        request, search, entry=entry, thanks=thanks, address=address, citation=citation(entry, address),
        came_from=sense, voice_resting=not clips and bool(audio.resting_voices([raw])),
        record_url=record_url(request, entry)))


def dataset_titles(collection: Collection) -> dict[str, str]:
    """Each dataset's title as public pages show it (its name where it has none)."""
    return {d["name"]: d.get("title") or d["name"] for d in collection.datasets()}


def record_url(request: Request, entry: dict) -> str:
    """Where a reader records an entry: the editor's recorder for a contributor of its language;
    for anyone else, signing in first, then that page."""
    reader, editor = reader_of(request), f"/e/{entry['id']}/sua"
    if reader is not None and reader.may(Role.contributor, entry["language"]):
        return editor + "#record"
    return "/dang-nhap?next=" + quote(editor)


def public_address(request: Request, path: str) -> str:
    """``path`` at the service's configured public address (``TUDIEN_PUBLIC_URL``), never at the
    Host the request names (anyone may send any); without one, the path alone."""
    return request.app.state.public_url + path


def citation(entry: dict, address: str, today: date | None = None) -> str:
    """A ready citation of an entry: the word, its language and meanings, its source, where it
    is read and when."""
    glosses = [g for g, language in texts_of(entry, Field.GLOSS) if language == languages.VIETNAMESE]
    meaning = f" «{'; '.join(dict.fromkeys(glosses[:3]))}»" if glosses else ""
    source = entry["source"]
    origin = source["citation"] or f"bộ dữ liệu {source.get('title') or source['dataset']}"
    day = (today or datetime.now(UTC).date()).strftime("%d/%m/%Y")
    return (f"{entry['headword']} ({entry['language_name']}){meaning}. Trong: Từ điển DTTS, mục từ "
            f"{entry['id']}; nguồn: {origin.rstrip('.')}. {address} (truy cập ngày {day}).")


@router.get("/nguon/{name}", response_class=HTMLResponse)
async def dataset_page(request: Request, search: SearchDep, collection: CollectionDep, name: str):
    """Where a dataset comes from: its citation, licence, what it is, what it holds."""
    if name == EDITORS_DATASET:  # entries made in the editor: who edits, and how
        return render(request, "nguon-bien-tap.html", _context(request, search, editors=_editors(request)))
    found = collection.dataset(name)
    if found is None or not found["languages"]:  # nothing of it is public (yet, or any more)
        raise DatasetNotFound(name)
    return render(request, "nguon.html", _context(request, search, dataset=found))


def _editors(request: Request) -> list[tuple[str, list[str]]]:
    """The editors of each language, by the language's Vietnamese name ("*": of every language)."""
    by_language: dict[str, list[str]] = {}
    for account in request.app.state.services.accounts.list():
        if account["role"] == "editor" and not account["disabled"]:
            for code in account["languages"]:
                by_language.setdefault(code, []).append(account["name"])
    order = languages.by_name(code for code in by_language if code != "*")
    return [(code, sorted(by_language[code])) for code in (*order, *(["*"] if "*" in by_language else []))]


@router.get("/dich", response_class=HTMLResponse)
async def workbench(request: Request, search: SearchDep):
    return render(request, "dich.html", _context(request, search, text="", targets=[], terms=None))


@router.post("/dich", response_class=HTMLResponse)
async def workbench_post(request: Request, search: SearchDep, translator: TranslatorDep, audio: AudioDep,
                         collection: CollectionDep, demand: DemandDep, text: str = Form(""), to: list[str] = Form([]), export: str | None = Form(None)):
    terms, error = None, None
    # said in the page's words, before the service's checks (which name the API's fields)
    if not text.strip():
        return render(request, "dich.html", _context(request, search, text=text, targets=to, terms=None,
                                                      error="Hãy dán một đoạn văn bản tiếng Việt vào ô bên trên."),
                      status_code=422)
    if not to:
        return render(request, "dich.html", _context(request, search, text=text, targets=to, terms=None,
                                                      error="Hãy đánh dấu ít nhất một ngôn ngữ cần dịch sang."),
                      status_code=422)
    if refused := refusal(request, "translate"):  # shown in the page, not as JSON
        return render(request, "dich.html", _context(
            request, search, text=text, targets=to, terms=None, error=refused.message),
            status_code=refused.status, headers=refused.headers)
    try:
        glossary = await run_in_threadpool(translator.translate, text, to)
        demand.gaps([(t.text, lang) for t in glossary.terms for lang in t.gaps], client_of(request))
        context = ExportContext(text, public_address(request, ""),
                                {row["name"]: row for row in collection.datasets()})
        if export == "csv":
            return Response(glossary_csv(glossary, context), media_type="text/csv; charset=utf-8",
                            headers={"Content-Disposition": 'attachment; filename="bang-thuat-ngu.csv"'})
        if export == "docx":
            return Response(
                glossary_docx(glossary, context),
                media_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                headers={"Content-Disposition": 'attachment; filename="bang-thuat-ngu.docx"'})
        clips = clips_public(audio.clips_for(glossary_entries(glossary)))
        terms = glossary_public(glossary, clips)["terms"]
    except DictionaryError as exc:
        error = str(exc)
    return render(request, "dich.html", _context(
        request, search, text=text, targets=to, terms=terms, error=error))

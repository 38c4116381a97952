"""The pages: search at ``/``, an entry at ``/e/{id}``, the translation workbench at ``/dich``.

Server-rendered, so results are readable without JavaScript; a small script adds live
suggestions and the special-letter row.  No build step."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from dictionary import editing, languages
from dictionary.errors import DictionaryError

from ..deps import AudioDep, GateDep, SearchDep, TranslatorDep, run
from ..export import glossary_csv, glossary_docx
from ..ratelimit import refusal
from ..schemas import clips_public, entry_detail, glossary_entries, glossary_public, hit_public
from ..session import csrf_token, keep_csrf, reader_of

HERE = Path(__file__).resolve().parent.parent
templates = Jinja2Templates(directory=HERE / "templates")
router = APIRouter(include_in_schema=False)

PAGE_SIZE = 20

# Letters a keyboard does not offer, per language (tapped into the search box).
SPECIAL_LETTERS = {
    "vie": "ă â đ ê ô ơ ư",
    "bdq": "ă â ĕ ê ĭ ô ŏ ơ ơ̆ ŭ ư ư̆ đ",
    "jra": "ă â ĕ ê ĭ ô ŏ ơ ơ̆ ŭ ư ư̆ đ",
    "rad": "ă â ĕ ê ĭ ô ŏ ơ ơ̆ ŭ ư ư̆ đ",
    "kpm": "ă â ĕ ê ĭ ô ŏ ơ ơ̆ ŭ ư ư̆ đ",
    "mtq": "ă â đ ê ô ơ ư",
    "tyz": "ă â đ ê ô ơ ư",
    "cja": "ꨀ ꨁ ꨂ ꨃ ꨆ ꨌ ꨓ ꨚ ꨠ",
    "khm": "ក ខ គ ង ច ា ិ ី ុ ូ េ ែ ្",
}
MATCH_WORDS = {
    "exact": "khớp đúng", "tone": "khớp (khác vị trí dấu)", "fold": "khớp không dấu",
    "decoded": "gần đúng (đọc theo kiểu gõ)", "prefix": "bắt đầu bằng", "words": "chứa các từ",
    "fuzzy": "gần đúng",
}
STATUS_WORDS = {status.value: words for status, words in editing.STATUS_WORDS.items()}


def _language_options(search) -> list[dict]:
    counts = search.store.language_counts()
    out = [{"code": "vie", "name": "Tiếng Việt"}]
    for code in sorted(counts):
        if code != "vie":
            lang = languages.get(code)
            out.append({"code": code, "name": lang.name_vi or lang.name_en})
    return out


def _context(request: Request, search, **values) -> dict:
    return {"request": request, "languages": _language_options(search), "letters": SPECIAL_LETTERS,
            "match_words": MATCH_WORDS, "status_words": STATUS_WORDS, "names": _names(),
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


def _names() -> dict[str, str]:
    return {lang.code: lang.name_vi or lang.name_en for lang in languages.registry()}


@router.get("/", response_class=HTMLResponse)
async def search_page(request: Request, search: SearchDep, audio: AudioDep, gate: GateDep, q: str | None = None,
                      source: str | None = Query(None, alias="from"),
                      target: str | None = Query(None, alias="to")):
    results, error, total, stale = [], None, 0, False
    if q and q.strip():  # a box left empty (or holding spaces) is no error: there is nothing to look up yet
        try:
            found = await run(gate, search, search.search, q, source or None, target or None, PAGE_SIZE, 0)
            clips = clips_public(audio.clips_for([h.entry for h in found.hits]))
            results = [hit_public(h, clips[h.entry["id"]]) for h in found.hits]
            total, stale = found.total, found.stale
        except DictionaryError as exc:
            error = str(exc)
    return render(request, "search.html", _context(
        request, search, q=q or "", source=source or "", target=target or "", results=results,
        total=total, error=error, stale=stale))


@router.get("/e/{entry_id}", response_class=HTMLResponse)
async def entry_page(request: Request, search: SearchDep, audio: AudioDep, entry_id: str,
                     thanks: bool = Query(False, alias="da-gop-y")):
    raw = search.store.get(entry_id).model_dump(mode="json")
    entry = entry_detail(raw, clips_public(audio.clips_for([raw]))[entry_id])
    return render(request, "entry.html", _context(request, search, entry=entry, thanks=thanks))


@router.get("/dich", response_class=HTMLResponse)
async def workbench(request: Request, search: SearchDep):
    return render(request, "dich.html", _context(request, search, text="", targets=[], terms=None))


@router.post("/dich", response_class=HTMLResponse)
async def workbench_post(request: Request, search: SearchDep, translator: TranslatorDep, audio: AudioDep,
                         text: str = Form(""), to: list[str] = Form([]), export: str | None = Form(None)):
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
        if export == "csv":
            return Response(glossary_csv(glossary), media_type="text/csv; charset=utf-8",
                            headers={"Content-Disposition": 'attachment; filename="bang-thuat-ngu.csv"'})
        if export == "docx":
            return Response(
                glossary_docx(glossary),
                media_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                headers={"Content-Disposition": 'attachment; filename="bang-thuat-ngu.docx"'})
        clips = clips_public(audio.clips_for(glossary_entries(glossary)))
        terms = glossary_public(glossary, clips)["terms"]
    except DictionaryError as exc:
        error = str(exc)
    return render(request, "dich.html", _context(
        request, search, text=text, targets=to, terms=terms, error=error))

"""The HTTP API.  Routes are thin: they validate the shape of a request, call the search
service and serialise what it returns."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Query
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.middleware.gzip import DEFAULT_EXCLUDED_CONTENT_TYPES, GZipMiddleware

from dictionary import languages
from dictionary.audio.library import AudioLibrary
from dictionary.config import Settings
from dictionary.search import MAX_LIMIT, MAX_OFFSET, SearchService
from dictionary.store import Store
from dictionary.translate import Translator

from . import audio as audio_routes
from . import errors, web
from .audio import AudioDep
from .deps import ServiceDep, run
from .responses import JSON
from .schemas import (
    EntryDetail,
    LanguagesPublic,
    SearchPublic,
    SuggestPublic,
    entry_detail,
    glossary_entries,
    glossary_public,
    hit_public,
)


class TranslateRequest(BaseModel):
    text: str = Field(description="văn bản tiếng Việt (tối đa 5 000 ký tự)")
    to: list[str] = Field(description="các ngôn ngữ đích, mã ISO 639-3, ví dụ [\"mww\", \"bdq\"]")


def create_app(settings: Settings | None = None, service: SearchService | None = None,
               audio: AudioLibrary | None = None) -> FastAPI:
    settings = settings or Settings.from_env()
    if service is None:
        from indexer import open_backend

        store = Store(settings.store_path)
        service = SearchService(store, open_backend(settings))
    if audio is None:
        audio = AudioLibrary(service.store, settings.audio_dir)

    app = FastAPI(
        title="Từ điển DTTS",
        description="Tra cứu song ngữ các ngôn ngữ dân tộc thiểu số Việt Nam ↔ tiếng Việt.",
        version="0.1.0",
        default_response_class=JSON,
    )
    app.state.service = service
    app.state.audio = audio
    app.state.api_keys = settings.api_keys
    # audio is compressed already, and a gzipped range would not be the range asked for
    # level 6: nearly the size of level 9 for JSON at a fraction of the CPU
    app.add_middleware(GZipMiddleware, minimum_size=1000, compresslevel=6,
                       exclude_content_types=(*DEFAULT_EXCLUDED_CONTENT_TYPES, "audio/*"))
    app.add_middleware(
        CORSMiddleware, allow_origins=["*"], allow_methods=["GET", "HEAD", "POST", "DELETE"],
        allow_headers=["*"], expose_headers=["Content-Range", "Content-Length", "ETag", "Accept-Ranges"],
    )
    errors.install(app)
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")
    app.include_router(web.router)
    app.include_router(audio_routes.router)

    @app.get("/v1/search", response_model=SearchPublic, response_class=JSON)
    async def search(
        service: ServiceDep,
        audio: AudioDep,
        q: str | None = Query(None, description="từ cần tra (tối đa 200 ký tự)"),
        source: str | None = Query(None, alias="from", description="ngôn ngữ của từ cần tra (ISO 639-3)"),
        target: str | None = Query(None, alias="to", description="ngôn ngữ muốn tra sang (ISO 639-3)"),
        limit: int = Query(10, description=f"số kết quả, 1–{MAX_LIMIT}"),
        offset: int = Query(0, description=f"bỏ qua bao nhiêu kết quả đầu, 0–{MAX_OFFSET}"),
    ):
        result = await run(service, service.search, q, source, target, limit, offset)
        clips = audio.clips_for([h.entry for h in result.hits])
        return JSON({
            "query": result.query, "total": result.total,
            "results": [{**hit_public(h), "audio": clips[h.entry["id"]]} for h in result.hits],
        })

    @app.get("/v1/suggest", response_model=SuggestPublic, response_class=JSON)
    async def suggest(service: ServiceDep, q: str | None = None, lang: str | None = None):
        return JSON({"suggestions": await run(service, service.suggest, q, lang)})

    @app.get("/v1/entries/{entry_id}", response_model=EntryDetail, response_class=JSON)
    async def entry(service: ServiceDep, audio: AudioDep, entry_id: str):
        entry = service.store.get(entry_id).model_dump(mode="json")
        return JSON({**entry_detail(entry), "audio": audio.clips_for([entry])[entry_id]})

    @app.get("/v1/languages", response_model=LanguagesPublic, response_class=JSON)
    async def language_list(service: ServiceDep):
        counts = service.store.language_counts()
        listed = languages.registry()
        known = {lang.code for lang in listed}
        listed += [languages.get(code) for code in sorted(counts) if code not in known]
        return JSON({
            "languages": [
                {"code": lang.code, "name_vi": lang.name_vi, "name_en": lang.name_en,
                 "scripts": list(lang.scripts), "entries": counts.get(lang.code, 0)}
                for lang in listed
            ]
        })

    @app.post("/v1/translate", response_class=JSON)
    async def translate(service: ServiceDep, audio: AudioDep, body: TranslateRequest):
        """A Vietnamese text looked up term by term in the wanted languages, with the gaps."""
        glossary = await run_in_threadpool(Translator(service).translate, body.text, body.to)
        return JSON(glossary_public(glossary, audio.clips_for(glossary_entries(glossary))))

    @app.get("/health", response_class=JSON)
    async def health(service: ServiceDep):
        index = await run_in_threadpool(service.backend.status)
        generation = service.store.generation
        current = index.get("ok") and index.get("generation") == generation
        body = {
            "status": "ok" if current else ("stale" if index.get("ok") else "unavailable"),
            "store": {"entries": service.store.count(), "generation": generation},
            "index": index,
        }
        return JSON(body, status_code=200 if index.get("ok") else 503)

    return app

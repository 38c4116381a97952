"""Downloads of the dictionary in exchange formats, for editors."""

from __future__ import annotations

import re
import shutil
import tempfile
import zipfile
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import FileResponse
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool

from corpora.export import export
from dictionary.editorial.accounts import Role
from dictionary.errors import DatasetNotFound

from ..deps import ActorDep, CollectionDep, SearchDep
from ..schemas.common import errors

router = APIRouter(tags=["biên tập"], responses=errors(422))

_MEDIA = {"lift": ("application/xml", "lift"), "csv": ("text/csv; charset=utf-8", "csv"),
          "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
          "cldf": ("application/zip", "zip")}


@router.get("/v1/export", response_class=FileResponse, responses={
    200: {"description": "the file (CLDF: a ZIP of the Wordlist folder)",
          "content": {media: {} for media, _ in _MEDIA.values()}}, **errors(401, 403, 404)})
async def download(search: SearchDep, collection: CollectionDep, actor: ActorDep,
                   format: Annotated[Literal["lift", "cldf", "csv", "xlsx"], Query(description="định dạng")],
                   language: Annotated[str | None, Query(description="mã ISO 639-3; bỏ trống: mọi ngôn ngữ (quản trị)")] = None,
                   dataset: Annotated[str | None, Query(description="chỉ bộ dữ liệu này")] = None,
                   status: Annotated[Literal["published", "all"], Query(
                       description="published: bản công bố; all: phiên bản mới nhất của mọi mục từ, kể cả bản nháp")] = "published"):
    """The entries of a language (or, for admins, of every language) as LIFT, CLDF, CSV or XLSX
    (editors of that language)."""
    language = search.language(language)
    actor.require(Role.editor if language else Role.admin, language)
    if dataset and collection.dataset(dataset) is None:
        raise DatasetNotFound(dataset)
    folder = Path(tempfile.mkdtemp(prefix="tudien-export-"))
    media, suffix = _MEDIA[format]
    # the file's name says what it holds; a dataset's name may hold any character, the file's not
    label = re.sub(r"[^\w.-]+", "_", dataset or "").strip("_.")
    name = "-".join(filter(None, ["tudien", language, label, status])) + f".{suffix}"

    def write() -> Path:
        entries = collection.export_entries(language=language, dataset=dataset, latest=status == "all")
        sources = [d for d in collection.datasets() if not dataset or d["name"] == dataset]
        if format != "cldf":
            out = folder / name
            export(format, entries, out, sources)
            return out
        export("cldf", entries, folder / "cldf", sources)
        out = folder / name
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted((folder / "cldf").iterdir()):
                archive.write(path, f"cldf/{path.name}")
        return out

    try:
        path = await run_in_threadpool(write)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return FileResponse(path, media_type=media, filename=name,
                        background=BackgroundTask(shutil.rmtree, folder, ignore_errors=True))

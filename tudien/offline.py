"""The reference offline client: download a language pack, keep it current through the change
feed, and search it with no server, ranking as the server does.

A folder holds one prepared pack per language (``<language>.sqlite``), and, when asked for, its
recordings (``<language>-audio.sqlite``).  A download goes to ``<language>.download`` and resumes
where it broke (Range with If-Range: a pack replaced meanwhile comes whole); the pack is used only
once its SHA-256 is the one the server lists.  Each page of changes is applied in one transaction
with the version it brings the pack to, so an interrupted sync loses nothing and repeats nothing.
"""

from __future__ import annotations

import gzip
import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import orjson

from dictionary.files import file_sha256
from dictionary.packs.pack import PackError, PackReader, apply, check, prepare, set_meta
from dictionary.public import match_public
from dictionary.search.service import SearchService
from indexer.pack import PackBackend

PAGE = 1000  # changes asked for at once


class SyncError(Exception):
    """A sync that cannot go on: the message says why and what to do."""


class _Expired(Exception):
    """The feed no longer reaches the pack's version (or the server's store is another)."""


@dataclass
class SyncReport:
    language: str
    version: int = 0
    entries: int = 0
    downloaded: int = 0  # bytes received for the pack (0: none was needed)
    resumed_from: int = 0  # bytes of an earlier download kept
    changes: int = 0  # changes applied from the feed
    feed_bytes: int = 0  # bytes of the feed's answers, as received
    audio: dict | None = field(default=None)

    def describe(self) -> str:
        parts = [f"{self.language}: version {self.version}, {self.entries} entries"]
        if self.downloaded:
            resumed = f", resumed after {self.resumed_from} bytes" if self.resumed_from else ""
            parts.append(f"pack downloaded ({self.downloaded} bytes{resumed})")
        parts.append(f"{self.changes} changes applied ({self.feed_bytes} bytes)" if self.changes
                     else "no change to apply")
        if self.audio:
            parts.append(f"recordings: {self.audio['recordings']} ({self.audio['bytes']} bytes)")
        return "; ".join(parts)


def _client(url: str) -> httpx.Client:
    return httpx.Client(base_url=url.rstrip("/"), timeout=httpx.Timeout(30.0, connect=10.0),
                        headers={"User-Agent": "tudien-offline/1"}, follow_redirects=True)


def _listing(http: httpx.Client, language: str) -> dict:
    response = http.get("/v1/packs")
    if response.status_code != 200:
        raise SyncError(f"{http.base_url}/v1/packs answered {response.status_code}: {response.text[:300]}")
    for pack in response.json()["packs"]:
        if pack["language"] == language:
            return pack
    raise SyncError(f"the server has no pack for {language!r} (no published entry in that language)")


def sync(url: str, language: str, folder: Path, *, audio: bool = False,
         http: httpx.Client | None = None) -> SyncReport:
    """Bring the pack of ``language`` in ``folder`` up to the server at ``url``: by its change
    feed when the pack is there, else by downloading it (resuming one that broke)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    own = http is None
    http = http or _client(url)
    try:
        listing = _listing(http, language)
        report = SyncReport(language)
        target = folder / f"{language}.sqlite"
        if target.exists():
            try:
                _follow(http, target, language, listing["store"], report)
            except _Expired:
                pass
            else:
                if audio:
                    report.audio = _audio(http, listing, folder)
                return report
        _download(http, listing, folder, target, report)
        try:
            _follow(http, target, language, listing["store"], report)
        except _Expired:
            raise SyncError(f"the server's pack of {language} is older than its change feed reaches (it is "
                            "being made again); run the same command again in a minute") from None
        if audio:
            report.audio = _audio(http, listing, folder)
        return report
    except httpx.HTTPError as exc:
        raise SyncError(f"the connection to {url} failed ({exc.__class__.__name__}: {exc}); run the same "
                        "command again: the download resumes where it stopped") from None
    finally:
        if own:
            http.close()


def _download(http: httpx.Client, listing: dict, folder: Path, target: Path, report: SyncReport) -> None:
    """Download the pack (gzip on the wire), resuming an earlier download of the same pack;
    check it, prepare it and put it in place of ``target``."""
    part = folder / f"{listing['language']}.download"
    state_file = folder / f"{listing['language']}.download.json"
    state = orjson.loads(state_file.read_bytes()) if state_file.exists() and part.exists() else {}
    headers = {"Accept-Encoding": "gzip"}
    have = part.stat().st_size if state.get("etag") else 0
    if have:
        headers.update({"Range": f"bytes={have}-", "If-Range": state["etag"]})
    with http.stream("GET", listing["url"], headers=headers) as response:
        if response.status_code == 416:  # what was kept is not a start of the pack: start again
            part.unlink(missing_ok=True)
            state_file.unlink(missing_ok=True)
            return _download(http, listing, folder, target, report)
        if response.status_code not in (200, 206):
            raise SyncError(f"{listing['url']} answered {response.status_code}: {response.read()[:300]!r}")
        resumed = response.status_code == 206
        state = {"etag": response.headers.get("etag"),
                 "encoding": response.headers.get("content-encoding", "identity"),
                 "sha256": response.headers.get("x-pack-sha256", listing["sha256"])}
        state_file.write_bytes(orjson.dumps(state))
        report.resumed_from = have if resumed else 0
        with open(part, "ab" if resumed else "wb") as out:
            for chunk in response.iter_raw():  # as received (kept if the connection drops); gzipped, as ranges count
                out.write(chunk)
                report.downloaded += len(chunk)
    staged = folder / f"{listing['language']}.sqlite.new"
    try:
        if state["encoding"] == "gzip":
            try:
                with gzip.open(part, "rb") as src, open(staged, "wb") as out:
                    while block := src.read(1 << 20):
                        out.write(block)
            except (OSError, EOFError) as exc:
                raise SyncError(f"the downloaded pack of {listing['language']} is damaged ({exc}); it was "
                                "deleted: run the same command again") from None
        else:
            os.replace(part, staged)
        found = file_sha256(staged)
        if found != state["sha256"]:
            raise SyncError(f"the downloaded pack of {listing['language']} has SHA-256 {found}, not the "
                            f"{state['sha256']} the server lists: it was refused and deleted; run the same "
                            "command again")
        db = sqlite3.connect(staged, isolation_level=None)
        try:
            found_meta = check(db, staged)
            if found_meta.get("language") != listing["language"]:
                raise SyncError(f"the server sent a pack of {found_meta.get('language')!r}, not of "
                                f"{listing['language']!r}")
            prepare(db)
        finally:
            db.close()
        os.replace(staged, target)
    except (SyncError, PackError):
        part.unlink(missing_ok=True)
        state_file.unlink(missing_ok=True)
        staged.unlink(missing_ok=True)
        raise
    part.unlink(missing_ok=True)
    state_file.unlink(missing_ok=True)


def _follow(http: httpx.Client, path: Path, language: str, store: str, report: SyncReport) -> None:
    """Apply the change feed to the pack at ``path`` from its version, a page per transaction."""
    db = sqlite3.connect(path, isolation_level=None)
    try:
        try:
            found = check(db, path)
        except PackError:
            raise _Expired from None
        if found.get("store") != store:
            raise _Expired
        version = int(found["version"])
        while True:
            response = http.get("/v1/changes", params={"since": version, "language": language,
                                                       "include": "index", "limit": PAGE},
                                headers={"Accept-Encoding": "gzip"})
            if response.status_code == 410:
                raise _Expired
            if response.status_code != 200:
                raise SyncError(f"/v1/changes answered {response.status_code}: {response.text[:300]}")
            report.feed_bytes += response.num_bytes_downloaded
            page = response.json()
            if page["store"] != store:
                raise _Expired
            db.execute("BEGIN IMMEDIATE")
            try:
                report.changes += apply(db, page["changes"])
                entries = db.execute("SELECT COUNT(*) FROM entries").fetchone()[0]
                set_meta(db, version=page["next"], entries=entries)
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
            version = page["next"]
            if not page["more"]:
                break
        report.version, report.entries = version, entries
    finally:
        db.close()


def _audio(http: httpx.Client, listing: dict, folder: Path) -> dict | None:
    """The language's recordings pack, downloaded again when the server's differs from ours."""
    pack = listing.get("audio")
    target = folder / f"{listing['language']}-audio.sqlite"
    if not pack:
        target.unlink(missing_ok=True)
        return None
    if target.exists() and file_sha256(target) == pack["sha256"]:
        return pack
    part = folder / f"{listing['language']}-audio.download"
    headers = {}
    if part.exists() and (tag := (folder / f"{listing['language']}-audio.etag")).exists():
        headers = {"Range": f"bytes={part.stat().st_size}-", "If-Range": tag.read_text()}
    with http.stream("GET", pack["url"], headers=headers) as response:
        if response.status_code not in (200, 206):
            part.unlink(missing_ok=True)
            raise SyncError(f"{pack['url']} answered {response.status_code}")
        etag = response.headers.get("etag", "")
        (folder / f"{listing['language']}-audio.etag").write_text(etag)
        expected = etag.strip('"') or pack["sha256"]  # the file's SHA-256: one replaced since the listing too
        with open(part, "ab" if response.status_code == 206 else "wb") as out:
            for chunk in response.iter_raw():
                out.write(chunk)
    if file_sha256(part) != expected:
        part.unlink(missing_ok=True)
        raise SyncError(f"the recordings of {listing['language']} arrived damaged (SHA-256 differs); run "
                        "the same command again")
    os.replace(part, target)
    (folder / f"{listing['language']}-audio.etag").unlink(missing_ok=True)
    return pack


# -- searching -------------------------------------------------------------------------------------

def open_search(folder: Path) -> SearchService:
    """The search service over the packs in ``folder``, as the server's over its store."""
    reader = PackReader(folder)
    if not reader.packs:
        raise SyncError(f"{folder} holds no language pack: run `tudien offline sync URL --language L --dir {folder}`")
    return SearchService(reader, PackBackend(reader))


def search(service: SearchService, q: str, source: str | None = None, target: str | None = None,
           limit: int = 10, offset: int = 0) -> dict:
    """``/v1/search``'s answer, from the packs: the same shape (recordings only, as links to the
    server's files: synthetic speech needs the server)."""
    result = service.search(q, source, target, limit, offset)
    return {"query": result.query, "total": result.total, "exact_matches": result.exact_matches,
            "did_you_mean": list(result.did_you_mean),
            "results": [{**hit.entry, "match": match_public(hit.match)} for hit in result.hits]}


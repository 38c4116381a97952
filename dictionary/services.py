"""The domain's services over one store and one search backend, composed in one place.

The program builds the parts (which backend, which voices) from its settings and hands them to
:meth:`Services.compose`; the HTTP API, the command line, the benchmarks and the tests all receive
the same object.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from dictionary.audio.library import AudioLibrary, Limits
from dictionary.audio.synth import Synthesiser
from dictionary.catalogue import LanguageCatalogue
from dictionary.editorial.accounts import Accounts
from dictionary.editorial.editing import Editing
from dictionary.packs.pack import PackShelf
from dictionary.search.indexing import Follower
from dictionary.search.ports import Backend
from dictionary.search.service import SearchService
from dictionary.search.translate import Translator
from dictionary.storage.store import Store


@dataclass
class Services:
    store: Store
    backend: Backend
    search: SearchService
    audio: AudioLibrary
    translator: Translator
    accounts: Accounts
    editing: Editing
    follower: Follower
    packs: PackShelf
    catalogue: LanguageCatalogue

    @classmethod
    def compose(cls, store: Store, backend: Backend, audio_root: Path, synthesiser: Synthesiser,
                limits: Limits | None = None, service_keys: tuple[str, ...] = (),
                packs_root: Path | None = None, pack_interval: float = 10.0) -> Services:
        search = SearchService(store, backend)
        follower = Follower(store, backend)
        audio = AudioLibrary(store, audio_root, synthesiser, limits, public_changed=follower.changed)
        packs = PackShelf(store, packs_root or Path(audio_root).parent / "packs", audio=audio.offline_pack,
                          interval=pack_interval)
        return cls(store, backend, search, audio,
                   Translator(search), Accounts(store, service_keys), Editing(store, follower), follower, packs,
                   LanguageCatalogue(store))

    def close(self) -> None:
        self.packs.stop()
        self.follower.stop()
        self.backend.close()
        self.store.close()

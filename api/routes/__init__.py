"""One router per resource."""

from . import (
               audio,
               desk,
               editorial,
               entries,
               export,
               health,
               language_pages,
               languages,
               packs,
               pages,
               search,
               translate,
)

# every router of the app, in the order it includes them
ROUTERS = (pages, language_pages, desk, search, entries, editorial, export, languages, audio, packs, translate, health)

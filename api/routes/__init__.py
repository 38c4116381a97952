"""One router per resource."""

from . import (
               account,
               audio,
               desk,
               editorial,
               entries,
               export,
               growth,
               growth_pages,
               health,
               language_pages,
               languages,
               packs,
               pages,
               search,
               sso,
               translate,
)

# every router of the app, in the order it includes them
ROUTERS = (pages, language_pages, sso, desk, account, growth_pages, search, entries, editorial, export, languages, audio, packs,
           translate, growth, health)

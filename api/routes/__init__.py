"""One router per resource."""

from . import audio, editorial, entries, health, languages, pages, search, translate

# every router of the API, in the order the app includes them
ROUTERS = (pages, search, entries, editorial, languages, audio, translate, health)

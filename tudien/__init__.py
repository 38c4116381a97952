"""The program: the ``tudien`` command, its settings, and the wiring that turns settings into the
store, the search backend, the services and the ASGI app.  The top floor: nothing below imports it.
"""

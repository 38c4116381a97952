"""``tudien serve``: the HTTP API under uvicorn, its index brought up to date first."""

from __future__ import annotations

import logging
import os
import sys

from ..settings import Settings
from .shared import Commands, open_services, progress


def add_serve(commands: Commands) -> None:
    p = commands.add_parser("serve", help="serve the HTTP API")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--log-level", default="info")
    p.set_defaults(func=cmd_serve)


def cmd_serve(args, settings: Settings) -> int:
    import uvicorn

    if settings.backend == "embedded":
        # An index that is missing, behind the store, or of an earlier version's layout (after an
        # upgrade) is rebuilt before the workers start, so a restart never serves 503s for it.
        # Elasticsearch indexes are left to `tudien index`: the cluster may be shared or down.
        from dictionary.storage.schema import peek
        from indexer.current import why_rebuild

        reason = why_rebuild(settings.index_dir, peek(settings.store_path, settings.database_url))
        if reason:
            print(f"bringing the search index up to date: {reason}")
            # In a process of its own: a build's memory (a gigabyte at a million entries) would
            # otherwise stay with this process, which supervises the workers for as long as they run.
            import multiprocessing

            builder = multiprocessing.get_context("spawn").Process(target=_rebuild, args=(settings,))
            builder.start()
            builder.join()
            if builder.exitcode != 0:
                print("error: the search index could not be rebuilt; see above", file=sys.stderr)
                return 1

    from ..server import PROTOCOL

    if settings.public_url is None:  # links name where this server listens (the workers read it)
        host = "localhost" if args.host in ("0.0.0.0", "::", "") else args.host
        host = f"[{host}]" if ":" in host else host
        os.environ["TUDIEN_PUBLIC_URL"] = f"http://{host}:{args.port}"
        if host == "localhost":
            print(f"TUDIEN_PUBLIC_URL is not set: links in citations name {os.environ['TUDIEN_PUBLIC_URL']}; "
                  "set it to the address readers use", file=sys.stderr)

    options = dict(factory=True, host=args.host, port=args.port, workers=args.workers, log_level=args.log_level,
                   access_log=False, http=PROTOCOL, timeout_keep_alive=5, timeout_graceful_shutdown=10)
    if args.workers < 2:
        uvicorn.run("tudien.wiring:app_from_env", **options)
        return 0
    from ..server import Spread, listening_sockets

    config = uvicorn.Config("tudien.wiring:app_from_env", **options)
    try:
        sockets = listening_sockets(args.host, args.port, args.workers)
    except OSError as exc:
        print(f"error: cannot listen on {args.host}:{args.port}: {exc.strerror}", file=sys.stderr)
        return 1
    logging.getLogger("uvicorn.error").info("Uvicorn running on http://%s:%d, a socket per worker (Press CTRL+C "
                                            "to quit)", args.host, args.port)
    try:
        Spread(config, sockets).run()
    except KeyboardInterrupt:
        pass
    finally:
        for sock in sockets:
            sock.close()
    return 0


def _rebuild(settings: Settings) -> None:
    services = open_services(settings)
    # an index behind the store follows the change feed when it can (seconds); else it is rebuilt
    print(f"search index {services.follower.catch_up(progress('indexing'))}")

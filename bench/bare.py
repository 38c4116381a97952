"""A bare FastAPI endpoint, served as ``tudien serve`` serves: what the HTTP stack alone gives.

    .venv/bin/python bench/bare.py --port 8001 --body answer.json [--workers 2]

``GET /v1/search?q=…`` validates ``q`` as a query parameter and answers the JSON of ``--body``
(a real search answer, parsed once), serialised again with orjson for every request, as the
real route serialises its results.  No search, no store, no middleware: bench/search.py compares
the real server's throughput with this one's in the same run.  Served like ``tudien serve``:
uvicorn with the same protocol, time-outs and a listening socket per worker (in a tree from
before those sockets, uvicorn's own supervisor, as its server had).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))


def app():
    """uvicorn's factory, in each worker: the body is read from BARE_BODY."""
    import orjson
    from fastapi import FastAPI, Query, Response

    body = orjson.loads(Path(os.environ["BARE_BODY"]).read_bytes())
    bare = FastAPI()

    @bare.get("/v1/search")
    async def search(q: str = Query(min_length=1, max_length=200)):
        return Response(orjson.dumps(body), media_type="application/json")

    return bare


def main() -> None:
    import uvicorn

    from tudien.server import PROTOCOL

    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--body", type=Path, required=True)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    os.environ["BARE_BODY"] = str(args.body.resolve())
    config = uvicorn.Config("bare:app", factory=True, host="127.0.0.1", port=args.port, workers=args.workers,
                            log_level="warning", access_log=False, http=PROTOCOL, timeout_keep_alive=5,
                            timeout_graceful_shutdown=10)
    try:
        from tudien.server import Spread, listening_sockets
    except ImportError:  # a tree from before a socket per worker (bench/search.py run on an older commit)
        uvicorn.run("bare:app", factory=True, host="127.0.0.1", port=args.port, workers=args.workers,
                    log_level="warning", access_log=False, http=PROTOCOL, timeout_keep_alive=5)
        return
    sockets = listening_sockets("127.0.0.1", args.port, args.workers)
    try:
        Spread(config, sockets).run()
    finally:
        for sock in sockets:
            sock.close()


if __name__ == "__main__":
    main()

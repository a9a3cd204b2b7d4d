"""`aanpakwijzer serve`: the HTTP API and the web page (uvicorn).

Each worker process builds its own pool of warm Advisors before it accepts requests;
SIGINT/SIGTERM stop accepting, finish the requests in flight, then exit.
"""
from __future__ import annotations

import os

import click


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Worker processes (each with its own warm Advisors).")
@click.option("--pool-size", default=2, show_default=True, type=click.IntRange(1, 64),
              help="Warm Advisors per worker; a request uses one Advisor at a time.")
@click.option("--cors-origin", "cors_origins", multiple=True, metavar="ORIGIN",
              help="An origin whose pages may call the API from the browser (repeatable).")
@click.option("--frame-ancestor", "frame_ancestors", multiple=True, metavar="ORIGIN",
              help="An origin that may embed the page in a frame (repeatable); default: none.")
@click.option("--log-level", default="warning", show_default=True,
              type=click.Choice(["critical", "error", "warning", "info", "debug"]))
def serve(host: str, port: int, workers: int, pool_size: int, cors_origins: tuple[str, ...],
          frame_ancestors: tuple[str, ...], log_level: str) -> None:
    """Serve the HTTP API (/v1/..., /docs) and the consultation page (/)."""
    import uvicorn

    # Settings travel by environment so that every worker process sees them.
    if cors_origins:
        os.environ["AANPAKWIJZER_CORS_ORIGINS"] = " ".join(cors_origins)
    if frame_ancestors:
        os.environ["AANPAKWIJZER_FRAME_ANCESTORS"] = " ".join(frame_ancestors)
    os.environ["AANPAKWIJZER_POOL_SIZE"] = str(pool_size)
    uvicorn.run("expert.api:create_app", factory=True, host=host, port=port, workers=workers,
                log_level=log_level, timeout_graceful_shutdown=10, server_header=False)

"""The desk's ASGI application: the editor's pages (``desk``) and the public ones (``public``)."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.responses import RedirectResponse
from starlette.routing import BaseRoute, Route

from kuaixun.config import Config
from kuaixun.web import desk, public
from kuaixun.web.context import WebContext, templates
from store.db import Database


def _home(_request: object) -> RedirectResponse:
    return RedirectResponse("/next", status_code=303)


def create_app(config: Config, db: Database) -> Starlette:
    """The desk on ``db`` (opened and migrated by the caller), configured by ``config``."""
    routes: list[BaseRoute] = [Route("/", _home), *desk.routes, *public.routes]
    app = Starlette(routes=routes)
    app.state.context = WebContext(config=config, db=db, templates=templates())
    return app

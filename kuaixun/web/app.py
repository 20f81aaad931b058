"""The desk's ASGI application: the editor's pages (``desk``), the public ones (``public``), the login.

Middleware, outermost first: the signed cookie session, then the login guard (the desk's routes
always need a login; every page but the login and unsubscribe links does when ``web.public`` is false).
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.responses import RedirectResponse
from starlette.routing import BaseRoute, Route

from kuaixun.config import Config
from kuaixun.web import auth, desk, public
from kuaixun.web.context import WebContext, templates
from store.db import Database


def _home(_request: object) -> RedirectResponse:
    return RedirectResponse("/next", status_code=303)


def create_app(config: Config, db: Database) -> Starlette:
    """The desk on ``db`` (opened and migrated by the caller), configured by ``config``.

    ``config`` must have passed :func:`kuaixun.web.auth.check_web_config` (a secret, an account).
    """
    routes: list[BaseRoute] = [Route("/", _home), *auth.routes, *desk.routes, *public.routes]
    middleware = [
        Middleware(
            SessionMiddleware,
            secret_key=config.web.secret or "",
            session_cookie=auth.SESSION_COOKIE,
            max_age=auth.SESSION_SECONDS,
            same_site="lax",
        ),
        Middleware(auth.LoginGuard, desk_routes=desk.routes, public=config.web.public),
    ]
    app = Starlette(routes=routes, middleware=middleware)
    app.state.context = WebContext(config=config, db=db, templates=templates())
    app.state.login_limiter = auth.LoginLimiter()
    return app

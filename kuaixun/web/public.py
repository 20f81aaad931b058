"""The public pages: archive, search, feeds, deadline calendar, unsubscribe."""

from __future__ import annotations

from starlette.routing import BaseRoute

routes: list[BaseRoute] = []

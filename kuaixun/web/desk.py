"""The editor's pages: the next issue, its corrections and approval (login required)."""

from __future__ import annotations

from starlette.routing import BaseRoute

routes: list[BaseRoute] = []

"""What every page handler reads: the config, the store and the templates (``request.app.state.context``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request

from kuaixun.config import Config
from store.db import Database

TEMPLATES = Path(__file__).parent / "templates"


@dataclass(frozen=True)
class WebContext:
    """The desk's shared state, built once at start."""

    config: Config
    db: Database
    templates: Environment


def templates() -> Environment:
    """Jinja2 with autoescaping on for every template: nothing scraped reaches a page unescaped."""
    return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True))


def context_of(request: Request) -> WebContext:
    context: WebContext = request.app.state.context
    return context

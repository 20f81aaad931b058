"""Page layouts the simulator does not render, to test extraction on unseen markup.

Each layout is a small function that renders one seed notice (``simulator.seeds.load_seeds()``)
as a whole page imitating one trait of real government sites (see
``/work/shared/reference/gov-sites.md``; the trait is the first line of the function's
docstring). The expected record comes from the seed's own fields, never from the extractor.

* :mod:`tests.layouts.variants` — one provincial TRS-style shell with one trait changed at a time
  (Word-export spans, ``<br>``-only bodies, no hint classes, a lying charset header …).
* :mod:`tests.layouts.families` — whole pages of CMS families the simulator lacks (gov.cn 公文,
  Guangdong gkmlpt, MOST xxgk, Zhejiang jpaas, a body split by a share bar).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from simulator.seednotice import SeedNotice
from tests.layouts.parts import Links, posted


@dataclass(frozen=True)
class Page:
    """What a crawler would get: bytes, the page URL, the Content-Type header, the files it links."""

    body: bytes
    url: str
    content_type: str | None
    links: Links


@dataclass(frozen=True)
class Layout:
    """A named renderer of seed notices."""

    name: str
    render: Callable[[SeedNotice], Page]

    @property
    def trait(self) -> str:
        """The real-site trait the layout imitates (its docstring's first line)."""
        return (self.render.__doc__ or "").strip().splitlines()[0]


@dataclass(frozen=True)
class Expected:
    """The record a perfect extractor returns for a rendered seed."""

    title: str
    doc_number: str | None
    publish_date: str
    issuer: str | None
    """Signing bodies joined by 、; None when the notice has no signature (any non-signature
    source, 发文机关 or ContentSource, is then acceptable)."""
    body: str
    attachments: tuple[tuple[str, str | None], ...]
    deadlines: tuple[str, ...]


@dataclass(frozen=True)
class Case:
    """One seed rendered in one layout, with its expected record."""

    layout: str
    seed: SeedNotice
    page: Page
    expected: Expected


LAYOUTS: dict[str, Layout] = {}


def layout(name: str) -> Callable[[Callable[[SeedNotice], Page]], Callable[[SeedNotice], Page]]:
    """Register a renderer under ``name`` (registration order is the table order)."""

    def register(render: Callable[[SeedNotice], Page]) -> Callable[[SeedNotice], Page]:
        assert name not in LAYOUTS, f"duplicate layout {name}"
        assert render.__doc__, f"layout {name} must document the trait it imitates"
        LAYOUTS[name] = Layout(name, render)
        return render

    return register


def expected_of(seed: SeedNotice, page: Page) -> Expected:
    """Ground truth from the seed: its fields, plus the attachment URLs the page wrote."""
    return Expected(
        title=seed.title,
        doc_number=seed.doc_number,
        publish_date=seed.date or posted(seed).isoformat(),
        issuer="、".join(seed.signers) or None,
        body="\n".join(seed.paragraphs),
        attachments=tuple((name, page.links.absolute(i)) for i, name in enumerate(seed.attachments)),
        deadlines=tuple(seed.deadlines),
    )


def cases(seeds: Iterable[SeedNotice], names: Iterable[str] | None = None) -> list[Case]:
    """Every seed in every layout (or in the named ones), layout by layout."""
    seeds = list(seeds)
    out = []
    for name in names or LAYOUTS:
        render = LAYOUTS[name].render
        for seed in seeds:
            page = render(seed)
            out.append(Case(name, seed, page, expected_of(seed, page)))
    return out


# Registration happens on import; the order sets the order of the report table.
from tests.layouts import variants  # noqa: E402, F401

# isort: split
from tests.layouts import families  # noqa: E402, F401

"""URL identity (one notice, one URL, however a listing spells the link) and where the crawler may go."""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit

SESSION_PARAMS = re.compile(r"^(jsessionid|sessionid|sid|phpsessid|_t|t|timestamp|random|r)$", re.I)


def normalize_url(url: str) -> str:
    """The canonical form of a notice URL.

    Lower-case host, no default port, no fragment, no ``;jsessionid``, no session or
    cache-busting query parameters, and none of the ``/../`` that a ``../..`` link leaves
    after urljoin (real servers answer those with 400).
    """
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    port = parts.port
    default = {"http": 80, "https": 443}.get(parts.scheme)
    netloc = host if port in (None, default) else f"{host}:{port}"
    path = re.sub(r";jsessionid=[^/?]*", "", parts.path, flags=re.I)
    path = re.sub(r"^(/\.\.)+(?=/)", "", path) or "/"
    query = urlencode(
        [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not SESSION_PARAMS.match(k)]
    )
    return parts._replace(netloc=netloc, path=path, query=query, fragment="").geturl()


# --- where the crawler may go ------------------------------------------------------------------

WEB_SCHEMES = {"http": 80, "https": 443}
"""The only schemes fetched, with their default ports: no file:, ftp:, s3:, data:."""

SCHEME = "scheme"
FOREIGN = "foreign-origin"
PRIVATE = "private-address"
UNRESOLVED = "unresolved"

Resolver = Callable[[str], list[str]]
"""host name → every address it resolves to."""


@dataclass(frozen=True, order=True)
class Origin:
    """Scheme, host and port: what a URL must share with a configured source to be fetched."""

    scheme: str
    host: str
    port: int

    def __str__(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}"


@dataclass(frozen=True)
class Refusal:
    """Why a URL is not fetched; ``reason`` is one of SCHEME, FOREIGN, PRIVATE, UNRESOLVED."""

    url: str
    reason: str
    detail: str

    def __str__(self) -> str:
        return f"refused {self.url[:200]}: {self.detail}"


def origin_of(url: str) -> Origin | None:
    """The http(s) origin of a URL; None for any other scheme or a URL without a usable host/port."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in WEB_SCHEMES:
        return None
    try:
        port = parts.port or WEB_SCHEMES[scheme]
    except ValueError:
        return None
    host = (parts.hostname or "").rstrip(".")
    return Origin(scheme, host, port) if host else None


def configured_origins(listing_url: str, allowed_hosts: Iterable[str] = ()) -> frozenset[Origin]:
    """A source's origins: its listing's, and each ``allowed_hosts`` entry (``host`` or ``host:port``)
    with the listing's scheme."""
    listing = origin_of(listing_url)
    if listing is None:
        return frozenset()
    extra = (origin_of(f"{listing.scheme}://{host}/") for host in allowed_hosts)
    return frozenset({listing, *(o for o in extra if o is not None)})


def origin_allowed(url: str, allowed: Collection[Origin], resolve: Resolver | None = None) -> Refusal | None:
    """None when the crawler may fetch ``url``, else why not.

    A configured origin is always allowed, even a loopback one (the simulator, an intranet
    source the operator chose). The one other origin allowed is the https upgrade of a
    configured ``http://host`` (both on their default ports), which many government sites
    redirect to; it must resolve to public addresses only, every one of them, since it was
    not configured. Downgrades (https → http) and other ports are refused.

    The addresses are those of the moment the URL is judged; the connection resolves the name
    again, a DNS-rebinding window this check does not close (only upgrades are resolved at all).
    """
    origin = origin_of(url)
    if origin is None:
        scheme = urlsplit(url.strip()).scheme.lower() or "none"
        if scheme in WEB_SCHEMES:
            return Refusal(url, FOREIGN, "no usable host or port")
        return Refusal(url, SCHEME, f"scheme {scheme}: only http and https are fetched")
    if origin in allowed:
        return None
    if not (origin.scheme == "https" and origin.port == 443 and Origin("http", origin.host, 80) in allowed):
        return Refusal(url, FOREIGN, f"{origin} is not a configured source's origin")
    return address_refusal(url, origin.host, resolve or resolve_host)


def address_refusal(url: str, host: str, resolve: Resolver) -> Refusal | None:
    """A refusal when ``host`` is, or resolves to, any private, loopback, link-local or reserved address."""
    try:
        addresses = resolve(host)
    except OSError as exc:
        return Refusal(url, UNRESOLVED, f"{host} does not resolve ({exc})")
    if not addresses:
        return Refusal(url, UNRESOLVED, f"{host} does not resolve")
    private = [a for a in addresses if not is_public_address(a)]
    if private:
        return Refusal(url, PRIVATE, f"{host} is a private, loopback or link-local address ({private[0]})")
    return None


def is_public_address(address: str) -> bool:
    """A globally routable unicast address (IPv4-mapped IPv6 judged as the IPv4 address it carries)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def resolve_host(host: str) -> list[str]:
    """Every address of ``host`` (an IP literal is its own)."""
    try:
        return [str(ipaddress.ip_address(host))]
    except ValueError:
        pass
    return sorted({str(info[4][0]) for info in socket.getaddrinfo(host, None)})

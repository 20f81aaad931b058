"""One HTTP POST to a webhook, with its failures sorted into retry-later and give-up."""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Mapping
from typing import TYPE_CHECKING, Any

from notify.channels.deadline import Deadline
from notify.outgoing import DeliveryError

if TYPE_CHECKING:
    import httpx


def dumps(payload: Mapping[str, Any]) -> bytes:
    """The JSON body as sent (UTF-8, Chinese kept as is: the size limits count these bytes)."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def post(
    url: str,
    body: bytes,
    *,
    timeout: float,
    headers: Mapping[str, str] | None = None,
    params: Mapping[str, str] | None = None,
    handing_over: Callable[[], None] = lambda: None,
) -> httpx.Response:
    """POST a JSON body within ``timeout`` seconds in all (connect, send, answer); only a 2xx
    answer is delivered. Connection trouble, 3xx, 429 and 5xx are retryable, other 4xx are not.

    ``handing_over`` is called just before the body goes out: a failure after it, with no
    answer, is ``in_doubt`` (the service may have taken the request); one before it is not.

    Redirects are not followed: a robot's URL is its credential, and a redirect would carry
    the message (and the credential in its query) to a host the operator did not name; a
    captive portal or a moved service answers 3xx, which is a failure to report, not a delivery.
    Error texts never carry the URL.
    """
    import httpx  # when sending only: read-only commands start without it

    target = httpx.URL(url).copy_merge_params(params) if params else httpx.URL(url)  # keeps ?access_token=
    exchange = _Exchange(handing_over)
    try:
        with Deadline(timeout) as deadline, httpx.Client(timeout=timeout, follow_redirects=False) as client:
            exchange.deadline = deadline
            response = client.post(
                target,
                content=body,
                headers={"Content-Type": "application/json; charset=utf-8", **(headers or {})},
                extensions={"trace": exchange.trace},
            )
    except httpx.TransportError as exc:
        raise exchange.failure(exc, timeout) from None
    status = response.status_code
    if 300 <= status < 400:
        raise DeliveryError(f"HTTP {status}: the webhook answered with a redirect, which is not followed")
    if status == 429 or status >= 500:
        raise DeliveryError(f"HTTP {status} {_snippet(response)}".rstrip())
    if not 200 <= status < 300:  # 4xx, and the 1xx a broken server may send as final
        raise DeliveryError(f"HTTP {status} {_snippet(response)}".rstrip(), retryable=False)
    return response


class _Exchange:
    """What httpcore's trace tells of one request: its sockets (for the deadline) and whether
    the body started to go out (after which a lost answer leaves the delivery in doubt)."""

    def __init__(self, handing_over: Callable[[], None]) -> None:
        self.handing_over = handing_over
        self.handed_over = False
        self.deadline: Deadline | None = None

    def trace(self, event: str, info: Mapping[str, Any]) -> None:
        stream = info.get("return_value")
        if self.deadline and event.endswith(("connect_tcp.complete", "start_tls.complete")) and stream:
            self.deadline.watch(stream.get_extra_info("socket"))
        if event.endswith("send_request_body.started") and not self.handed_over:
            self.handing_over()
            self.handed_over = True

    def failure(self, exc: httpx.TransportError, timeout: float) -> DeliveryError:
        import httpx  # imported when sending (see post_json)

        expired = self.deadline is not None and self.deadline.expired
        cause = f"{type(exc).__name__}: {exc}"
        if expired or isinstance(exc, httpx.TimeoutException):
            reason = f"no answer within {timeout:g} s"
        elif self.handed_over:
            reason = f"the connection broke before the answer ({cause})"
        else:
            reason = f"cannot reach the webhook ({cause})"
        if self.handed_over:
            reason += "; the request was sent, the service may have taken it"
            return DeliveryError(reason, in_doubt=True)
        return DeliveryError(reason)


def check_code(response: httpx.Response, field: str, rate_limited: Collection[int]) -> None:
    """A chat API's own verdict in a 200 answer: ``field`` 0 is success, ``rate_limited`` retry later."""
    answer = _json(response)
    code = answer.get(field, answer.get("StatusCode", 0))
    if code == 0:
        return
    message = answer.get("errmsg") or answer.get("msg") or ""
    raise DeliveryError(f"{field} {code}: {message}".rstrip(": "), retryable=code in rate_limited)


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        answer = response.json()
    except ValueError:
        raise DeliveryError(f"not a JSON answer: {_snippet(response)}", retryable=False) from None
    return answer if isinstance(answer, dict) else {}


def _snippet(response: httpx.Response) -> str:
    return response.text.strip().replace("\n", " ")[:200]

"""Webhook inbox throughput: deliveries the inbox verifies and records vs a bare server.

Candidate: ``WebhookInbox`` (display off), which checks each POST's ``Oncehub-Signature``,
refuses replays and keeps the event. Baseline: the standard library's
``ThreadingHTTPServer`` with a handler that reads the body and answers 200, nothing else.
Both speak HTTP/1.0 on 127.0.0.1 (a connection per delivery, like a webhook sender), with
request logging off. One httpx.Client posts blocks of ``BLOCK`` signed, distinct
``booking.scheduled`` deliveries to each in turn (``TURNS`` blocks a round, interleaved);
the signing happens before each block's clock starts. Target: median ratio <= 1.25, i.e.
the inbox handles at least 0.8 of the bare server's deliveries per second.
"""

from __future__ import annotations

import itertools
import json
import statistics
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

BLOCK = 50  # deliveries posted in a row to one server
TURNS = 10  # blocks per round, per server
SECRET = "whsec-bench-0123456789abcdef0123"
_serial = itertools.count()


def delivery(n: int) -> bytes:
    """A booking.scheduled event as OnceHub's reference shows it (about 700 bytes)."""
    event = {
        "id": f"EVNT-{n:010d}",
        "object": "event",
        "creation_time": "2020-03-22T09:49:12Z",
        "type": "booking.scheduled",
        "api_version": "v2",
        "data": {
            "object": "booking",
            "id": f"BKNG-{n:012d}",
            "tracking_id": "D36E0002",
            "subject": "Live demo",
            "status": "scheduled",
            "in_trash": False,
            "creation_time": "2020-03-22T09:48:48Z",
            "starting_time": "2020-03-22T04:30:00Z",
            "customer_timezone": "America/New_York",
            "last_updated_time": "2020-03-22T09:48:48Z",
            "duration_minutes": 60,
            "location_description": "123 Office Street",
            "owner": "USR-FSD423423",
            "conversation": None,
            "cancel_reschedule_url": "https://oncehub.com/m/BKNG-3KM0HY2BF9SL",
        },
    }
    return json.dumps(event).encode()


class _Bare(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def bare_server() -> Iterator[str]:
    """The baseline, listening; its URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Bare)
    server.request_queue_size = 128
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def poster(http: Any, url: str, count: int) -> Callable[[], float]:
    """One sample: ``count`` fresh signed deliveries posted in a row; seconds taken."""
    from oncehub_nb.webhooks import SIGNATURE_HEADER, sign

    def sample() -> float:
        bodies = [delivery(next(_serial)) for _ in range(count)]
        sent = [(body, {SIGNATURE_HEADER: sign(body, SECRET)}) for body in bodies]
        started = time.perf_counter()
        for body, headers in sent:
            response = http.post(url, content=body, headers=headers)
            if response.status_code != 200:
                raise SystemExit(f"webhook benchmark: {url} answered {response.status_code}")
        return time.perf_counter() - started

    return sample


def rows(rounds: int, row: Callable[..., Any], alternating: Callable[..., Any]) -> list[Any]:
    """The inbox vs the bare server, interleaved rounds."""
    import httpx

    from oncehub_nb.webhooks import WebhookInbox

    with (
        WebhookInbox(SECRET, display=False) as inbox,  # keeps its last 1,000 (InboxLimits)
        bare_server() as bare_url,
        httpx.Client(timeout=10) as http,
    ):
        measures = [poster(http, inbox.url, BLOCK), poster(http, bare_url, BLOCK)]
        for measure in measures:
            measure()  # warm both
        mine, base = zip(*alternating(measures, rounds, TURNS), strict=True)
        events, received = inbox.events, len(inbox.events) + inbox.dropped
    per_round = BLOCK * TURNS
    expected = per_round * rounds + BLOCK
    if received != expected or not all(event.verified for event in events):
        raise SystemExit(f"webhook benchmark: {received} events received, {expected} sent")
    print(
        f"  webhook inbox: {per_round / statistics.median(mine):,.0f} deliveries/s verified "
        f"and recorded; bare http.server: {per_round / statistics.median(base):,.0f}/s"
    )
    return [
        row(
            f"webhook inbox {per_round} deliveries vs bare http.server answering 200",
            list(mine),
            list(base),
            1.25,
        )
    ]


if __name__ == "__main__":
    import run

    for result in rows(run.QUICK_ROUNDS, run.Row, run.alternating):
        print(result)

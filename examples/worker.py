"""A background worker: send a batch of e-mails with bounded concurrency, retries and a
plain-text progress bar.

    python examples/worker.py [COUNT] [CONCURRENCY]     # defaults: 20 e-mails, 5 at a time
    python examples/worker.py --help

Needs the ``testing`` extra (``pip install -e ".[testing]"``) for the embedded fake.

Sends go through an anyio task group, at most CONCURRENCY at a time (a CapacityLimiter). A send
the API refused with 429 or 503 is retried with exponential backoff: the server answered, so it
did not send anything. A send that got *no* answer is not retried, since the API may have sent
it. Against the embedded fake (the default) the first three sends are answered 503 so the
retries show. Exit status 0 when everything was sent.
"""

from __future__ import annotations

import argparse
import functools
import sys
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TextIO

import anyio
from _demo import Demo, create_demo_service, make_client, target

from notify_async import NotifyAdminClient, request_context
from notify_async.errors import HTTP503Error, HTTPError, RateLimitError, TransportError

#: Notify's simulated addresses: accepted, never delivered to a real inbox.
RECIPIENTS = (
    "simulate-delivered@notifications.service.gov.uk",
    "simulate-delivered-2@notifications.service.gov.uk",
    "simulate-delivered-3@notifications.service.gov.uk",
)
ATTEMPTS = 4
BASE_DELAY = 0.05


class ProgressBar:
    """``[#########.........] 9/20`` redrawn in place on a terminal, one line per step else."""

    def __init__(self, total: int, width: int = 30, stream: TextIO = sys.stdout) -> None:
        self.total, self.width, self.stream = total, width, stream
        self.done = self.failed = 0
        self._tty = stream.isatty()

    def advance(self, ok: bool) -> None:
        """Count one finished item and redraw."""
        self.done += 1
        self.failed += not ok
        filled = self.width * self.done // self.total
        line = f"[{'#' * filled}{'.' * (self.width - filled)}] {self.done}/{self.total}"
        if self.failed:
            line += f" ({self.failed} failed)"
        self.stream.write(("\r" if self._tty else "") + line + ("" if self._tty else "\n"))
        if self._tty and self.done == self.total:
            self.stream.write("\n")
        self.stream.flush()


async def with_retries(send: Callable[[], Awaitable[Any]]) -> tuple[Any, int]:
    """``await send()``, retrying a 429 / 503 answer; returns the result and the retry count."""
    for attempt in range(ATTEMPTS):
        try:
            return await send(), attempt
        except (RateLimitError, HTTP503Error) as exc:
            if isinstance(exc, TransportError) or attempt == ATTEMPTS - 1:
                raise
            await anyio.sleep(BASE_DELAY * 2**attempt)
    raise AssertionError("unreachable")


async def send_batch(notify: NotifyAdminClient, demo: Demo, count: int,
                     concurrency: int) -> tuple[int, int, int]:
    """Send ``count`` e-mails, ``concurrency`` at a time; returns (sent, failed, retries)."""
    limiter = anyio.CapacityLimiter(concurrency)
    progress = ProgressBar(count)
    totals = {"sent": 0, "failed": 0, "retries": 0}

    async def send_one(number: int) -> None:
        async with limiter:
            try:
                _, retries = await with_retries(lambda: notify.notifications.send_notification(
                    demo.service_id,
                    template_id=demo.template_id,
                    recipient=RECIPIENTS[number % len(RECIPIENTS)],
                    personalisation={"name": f"reader {number}"},
                    sender_id=None,
                ))
            except HTTPError:
                totals["failed"] += 1
                progress.advance(ok=False)
                return
            totals["sent"] += 1
            totals["retries"] += retries
            progress.advance(ok=True)

    with request_context(user_id=demo.user_id):  # the tasks inherit the context
        async with anyio.create_task_group() as tasks:
            for number in range(count):
                tasks.start_soon(send_one, number)
    return totals["sent"], totals["failed"], totals["retries"]


async def main(count: int = 20, concurrency: int = 5) -> int:
    notify, fake = make_client()
    print(f"talking to {target(notify, fake)}")
    async with notify:
        demo = await create_demo_service(notify, "Worker", restricted=False, report=print)
        if fake is not None:
            fake.fail_next("POST", "/service/{service_id}/send-notification", status=503, times=3)
        print(f"sending {count} e-mails, at most {concurrency} at a time")
        sent, failed, retries = await send_batch(notify, demo, count, concurrency)
    print(f"sent {sent}/{count} notifications ({failed} failed, {retries} retries)")
    return 0 if failed == 0 else 1


def positive(text: str) -> int:
    """An argparse type: a whole number of at least 1."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def parse(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python examples/worker.py",
        description="Send a batch of e-mails with bounded concurrency and retries, against the "
                    "embedded fake Notify API (or the API named by NOTIFY_API_URL).",
    )
    parser.add_argument("count", nargs="?", type=positive, default=20,
                        help="how many e-mails to send (default: 20)")
    parser.add_argument("concurrency", nargs="?", type=positive, default=5,
                        help="how many sends at a time at most (default: 5)")
    return parser.parse_args(argv)


if __name__ == "__main__":
    args = parse()
    sys.exit(anyio.run(functools.partial(main, args.count, args.concurrency)))

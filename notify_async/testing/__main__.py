"""``python -m notify_async.testing serve``: run the fake Notify API on loopback (uvicorn).

::

    python -m notify_async.testing serve --port 8765 --client-id notify-admin --secret ...

Point an SDK client (or the admin app) at ``http://127.0.0.1:8765`` with the same client id
and secret. State lives in memory and is lost when the process stops.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from notify_async.testing import DEFAULT_CLIENT_ID, DEFAULT_SECRET, FakeNotifyAPI


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m notify_async.testing", description="The fake Notify admin API."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the fake API over HTTP (uvicorn)")
    serve.add_argument("--host", default="127.0.0.1", help="interface (default: 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8765, help="port (default: 8765)")
    serve.add_argument("--client-id", default=DEFAULT_CLIENT_ID,
                       help=f"admin client id, the JWT iss (default: {DEFAULT_CLIENT_ID})")
    serve.add_argument("--secret", default=DEFAULT_SECRET,
                       help="admin client secret (default: the fake's built-in test secret)")
    serve.add_argument("--log-level", default="info", help="uvicorn log level (default: info)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv`` and run the command; returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        import uvicorn
    except ImportError:
        print("serving needs uvicorn: pip install 'notify-async[testing]'", file=sys.stderr)
        return 2
    fake = FakeNotifyAPI(args.client_id, args.secret,
                         base_url=f"http://{args.host}:{args.port}")
    print(f"fake Notify API on http://{args.host}:{args.port} (client id {args.client_id!r})",
          flush=True)
    uvicorn.run(fake, host=args.host, port=args.port, log_level=args.log_level)
    return 0


if __name__ == "__main__":
    sys.exit(main())

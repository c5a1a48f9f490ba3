"""``python -m jobify_web hash``: print a password hash for ``[jobify.web] token``.

The password is read without echo (twice), or from the first line of standard
input with ``--stdin``; only the hash is printed, never the password.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Sequence

from jobify_web.auth import hash_token


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit code."""
    parser = argparse.ArgumentParser(prog="python -m jobify_web")
    sub = parser.add_subparsers(dest="command", required=True)
    hash_cmd = sub.add_parser("hash", help="print a password hash for [jobify.web] token")
    hash_cmd.add_argument("--stdin", action="store_true", help="read the password from stdin")
    args = parser.parse_args(argv)
    if args.stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("Dashboard password: ")
        if getpass.getpass("Again: ") != password:
            print("error: the two passwords differ", file=sys.stderr)
            return 1
    if not password:
        print("error: empty password", file=sys.stderr)
        return 1
    print(hash_token(password))
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

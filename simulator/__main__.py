"""``python -m simulator [--host H] [--state-file F] [--scale N] [--latency MS]``: run the simulated
government web."""

from __future__ import annotations

import argparse
from pathlib import Path

from simulator.server import serve


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m simulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--state-file", type=Path, default=None, help="write site addresses here as JSON")
    parser.add_argument(
        "--scale", type=int, default=0, metavar="N", help="N notices more, generated from the seeds"
    )
    parser.add_argument(
        "--latency", type=float, default=0.0, metavar="MS", help="delay every answer by MS milliseconds"
    )
    args = parser.parse_args()
    if args.scale < 0:
        parser.error("--scale must be 0 or more")
    if args.latency < 0:
        parser.error("--latency must be 0 or more")
    serve(host=args.host, state_file=args.state_file, scale=args.scale, latency=args.latency / 1000)


if __name__ == "__main__":
    main()

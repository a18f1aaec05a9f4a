"""``python -m mentoring.emulator``: serve the GitHub emulator until Ctrl-C."""

import argparse

from mentoring.emulator.server import serve


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m mentoring.emulator", description=__doc__)
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: any free one)")
    parser.add_argument("--state", metavar="FILE", help="load state from FILE, save it on exit")
    parser.add_argument(  # --seed-dir as `mentoring emulator` spells it; --seed as it was
        "--seed-dir",
        "--seed",
        dest="seed",
        metavar="DIR",
        help="files for every repository's main branch",
    )
    parser.add_argument("--events-dir", metavar="DIR", help="write each webhook event as a file")
    args = parser.parse_args()
    serve(args.port, args.state, args.seed, args.events_dir)


main()

"""Command-line face of the engine: ``python -m shuangsuiji.engine SUBCOMMAND ...``.

Each engine module that has a public command contributes it through ``add_cli(subparsers)``;
the subcommand's handler is stored as ``func`` and returns the process exit code.
"""

import argparse
import sys

from shuangsuiji.engine import creditcode, manifest, sampling, workdays

COMMAND_MODULES = (creditcode, workdays, sampling, manifest)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m shuangsuiji.engine",
        description="shuangsuiji engine: credit codes, working days, the verifiable draw.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True)
    for module in COMMAND_MODULES:
        module.add_cli(subparsers)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())

from __future__ import annotations

import argparse


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sub.add_parser("bench")


def command(args: argparse.Namespace) -> int:
    return 2

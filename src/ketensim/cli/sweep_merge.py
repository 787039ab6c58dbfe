"""`ketensim sweep-merge` (also `ketensim sweep merge`): merge the shard stores of a sweep."""
from __future__ import annotations

import argparse

from . import options as opt


def add_parser(sub: opt.Subparsers) -> None:
    m = sub.add_parser("sweep-merge", help="merge shard stores (also spelled `ketensim sweep merge OUT STORE...`)")
    m.add_argument("out", metavar="OUT", help="new store folder")
    m.add_argument("stores", nargs="+", metavar="STORE", help="shard stores of one sweep")
    m.set_defaults(func=handle)


def handle(args: argparse.Namespace) -> int:
    from ..experiment.shard import merge_stores

    store, n = merge_stores(args.out, args.stores)
    print(f"merged {len(args.stores)} store(s): {n} runs into {store.root} "
          f"(manifest.json, summary.csv, runs/point=*/rep=*.parquet)")
    return 0

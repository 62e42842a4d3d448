"""Write the hard gold set (synthetic, from scrubdesk.core.synthetic) as JSON lines.

python bench/pii/make_gold.py OUT.jsonl [--n 1000] [--seed 4] [--easy]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from scrubdesk.core.synthetic import generate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument("--easy", action="store_true", help="the ordinary (not hard) generator")
    args = parser.parse_args()
    with args.out.open("w", encoding="utf-8") as fh:
        for email in generate(args.n, seed=args.seed, hard=not args.easy):
            fh.write(json.dumps(email.gold_record(), ensure_ascii=False) + "\n")
    print(f"wrote {args.n} records to {args.out}")


if __name__ == "__main__":
    main()

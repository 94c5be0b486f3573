#!/usr/bin/env python3
"""Turn CLINC150 (oos-eval) into a Switchboard knowledge base and evaluation cases.

  tools/clinc150/convert.py [--data ../shared/datasets/clinc150/data_full.json] --out DIR

writes
  DIR/kb.jsonl    one article per intent; its question variants are the intent's `train` utterances
  DIR/val.jsonl   `val` + `oos_val` cases    ({"text": ..., "expect": "<intent>" | null})
  DIR/test.jsonl  `test` + `oos_test` cases

Tune only on val.jsonl; report test.jsonl. Data: CC BY 3.0, Larson et al., EMNLP-IJCNLP 2019.
"""
import argparse
import json
import os
import sys


def main() -> int:
    here = os.path.dirname(os.path.abspath(__file__))
    default = os.path.normpath(os.path.join(here, "..", "..", "..", "shared", "datasets", "clinc150", "data_full.json"))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=default, help="data_full.json (default: %(default)s)")
    ap.add_argument("--out", required=True, help="output directory")
    args = ap.parse_args()

    try:
        with open(args.data, encoding="utf-8") as f:
            data = json.load(f)
    except OSError as e:
        print(f"convert.py: cannot read {args.data}: {e}", file=sys.stderr)
        return 2
    for split in ("train", "val", "test", "oos_val", "oos_test"):
        if split not in data:
            print(f"convert.py: {args.data} has no '{split}' split", file=sys.stderr)
            return 2

    os.makedirs(args.out, exist_ok=True)
    by_intent: dict[str, list[str]] = {}
    for text, intent in data["train"]:
        by_intent.setdefault(intent, []).append(text)
    with open(os.path.join(args.out, "kb.jsonl"), "w", encoding="utf-8") as f:
        for intent in sorted(by_intent):
            article = {"id": intent, "questions": by_intent[intent], "answer": f"[answer for {intent}]",
                       "lang": "en", "tags": ["clinc150"]}
            f.write(json.dumps(article, ensure_ascii=False) + "\n")

    def cases(name: str, in_scope: str, oos: str) -> int:
        n = 0
        with open(os.path.join(args.out, name), "w", encoding="utf-8") as f:
            for text, intent in data[in_scope]:
                f.write(json.dumps({"text": text, "expect": intent}, ensure_ascii=False) + "\n")
                n += 1
            for text, _ in data[oos]:
                f.write(json.dumps({"text": text, "expect": None}, ensure_ascii=False) + "\n")
                n += 1
        return n

    nv = cases("val.jsonl", "val", "oos_val")
    nt = cases("test.jsonl", "test", "oos_test")
    print(f"{len(by_intent)} articles, {nv} val cases, {nt} test cases in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

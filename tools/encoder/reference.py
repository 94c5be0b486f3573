#!/usr/bin/env python3
"""Reference for libs/encoder's BERT encoders (all-MiniLM-L6-v2, bge-small-en-v1.5) in plain
numpy, no torch.

The forward pass is written out independently of the C++ one (float64 accumulation, straight
from the formulas), so agreement between the two is evidence for both. Tokens come from the
Hugging Face `tokenizers` library reading the model's own tokenizer.json — the tokenizer that
sentence-transformers runs — and are cross-checked against the pure-Python BERT tokenizer below,
which is used alone when `tokenizers` is not installed.

  reference.py --model-dir DIR "some text" ...     print token ids and the first embedding values
  reference.py --model-dir DIR --fixtures OUT.json regenerate the C++ test fixtures
  reference.py --model-dir DIR --tokenizer-cases OUT.json
                                                  random multilingual strings and their token ids
  reference.py --model-dir DIR --check             the published "hello world" values still match
                                                  (all-MiniLM-L6-v2)
  reference.py --model-dir DIR --onnx MODEL.onnx   compare with onnxruntime running the ONNX export
                                                  the model was converted from (bge-small-en-v1.5)

Needs numpy (and optionally tokenizers): pip install -r tools/encoder/requirements.txt
"""

import argparse
import json
import math
import random
import re
import struct
import sys
import unicodedata
from pathlib import Path

import numpy as np

MAX_TOKENS = 128

# The fixture sentences: what the C++ test replays. Keep them varied: punctuation, accents,
# Cyrillic (й/ё lose their marks in BERT-uncased), CJK, control characters, empty text, and one
# text long enough to be truncated.
LONG_TEXT = " ".join(
    f"word{i % 17} the customer asked about invoice number {i} and refund policy details"
    for i in range(30)
)
FIXTURE_TEXTS = [
    "How do I reset my password?",
    "I forgot my password",
    "what is the weather today",
    "Hello, world! (It's 3:45pm) -- e-mail: support@example.com; price $12.50 & 10% off...",
    "Café naïve résumé: Ångström, Þór, façade, Œuvre, Łódź, Straße",
    "Как сбросить пароль? Йогурт и ёлка — Ёжик!",
    "日本語のテキストと中文字符 mixed with English",
    "tabs\tand\nnewlines\r\nand\u00a0nbsp\u200bzero-width\u0007bell",
    "",
    "unbelievably antidisestablishmentarianism " + "x" * 120,
    LONG_TEXT,
]
assert len(LONG_TEXT.split()) > 300


# ---------------------------------------------------------------------------------------------
# Tokenizer


class BertTokenizer:
    """BERT uncased tokenization as Hugging Face's BertNormalizer + BertPreTokenizer + WordPiece."""

    SPECIALS = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")

    def __init__(self, vocab_path):
        with open(vocab_path, encoding="utf-8") as f:
            self.vocab = {line.rstrip("\n"): i for i, line in enumerate(f)}
        self.cls, self.sep, self.unk = self.vocab["[CLS]"], self.vocab["[SEP]"], self.vocab["[UNK]"]

    @staticmethod
    def _is_control(ch):
        # Unassigned code points (Cn) are kept, as by the tokenizers crate (the slow Python
        # BertTokenizer drops them).
        cat = unicodedata.category(ch)
        return ch not in "\t\n\r" and cat.startswith("C") and cat != "Cn"

    @staticmethod
    def _is_whitespace(ch):
        return ch in " \t\n\r" or unicodedata.category(ch) == "Zs" or ch.isspace()

    @staticmethod
    def _is_punctuation(ch):
        cp = ord(ch)
        if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
            return True
        return unicodedata.category(ch).startswith("P")

    @staticmethod
    def _is_cjk(cp):
        return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x2A6DF
                or 0x2A700 <= cp <= 0x2B73F or 0x2B740 <= cp <= 0x2B81F
                or 0x2B920 <= cp <= 0x2CEAF or 0xF900 <= cp <= 0xFAFF
                or 0x2F800 <= cp <= 0x2FA1F)

    def normalize(self, text):
        out = []
        for ch in text:
            if ch in ("\0", "\ufffd") or self._is_control(ch):
                continue
            if self._is_whitespace(ch):
                out.append(" ")
            elif self._is_cjk(ord(ch)):
                out.append(" " + ch + " ")
            else:
                out.append(ch)
        text = unicodedata.normalize("NFD", "".join(out))
        # Lower-cased per character, like Rust's char::to_lowercase (no final-sigma rule).
        return "".join(c.lower() for c in text if unicodedata.category(c) != "Mn")

    def pre_tokenize(self, text):
        words, cur = [], []
        for ch in text:
            if self._is_whitespace(ch) or self._is_punctuation(ch):
                if cur:
                    words.append("".join(cur))
                    cur = []
                if not self._is_whitespace(ch):
                    words.append(ch)
            else:
                cur.append(ch)
        if cur:
            words.append("".join(cur))
        return words

    def word_piece(self, word):
        if len(word) > 100:
            return [self.unk]
        ids, start = [], 0
        while start < len(word):
            end, found = len(word), None
            while start < end:
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                if piece in self.vocab:
                    found = self.vocab[piece]
                    break
                end -= 1
            if found is None:
                return [self.unk]
            ids.append(found)
            start = end
        return ids

    def encode(self, text, max_tokens=MAX_TOKENS):
        ids = []
        # Special tokens written in the text are matched before normalization, as HF does.
        for part in re.split(r"(\[PAD\]|\[UNK\]|\[CLS\]|\[SEP\]|\[MASK\])", text):
            if part in self.SPECIALS and part in self.vocab:
                ids.append(self.vocab[part])
            else:
                ids += [i for w in self.pre_tokenize(self.normalize(part)) for i in self.word_piece(w)]
        return [self.cls] + ids[: max_tokens - 2] + [self.sep]


def hf_tokenizer(model_dir, max_tokens=MAX_TOKENS):
    try:
        from tokenizers import Tokenizer
    except ImportError:
        return None
    tok = Tokenizer.from_file(str(Path(model_dir) / "tokenizer.json"))
    tok.no_padding()
    tok.enable_truncation(max_length=max_tokens)
    return tok


# ---------------------------------------------------------------------------------------------
# Model

_DTYPES = {"F32": np.float32, "F16": np.float16, "I64": np.int64}


def load_safetensors(path):
    data = Path(path).read_bytes()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n])
    base = 8 + n
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        arr = np.frombuffer(data[base + begin : base + end], dtype=_DTYPES[info["dtype"]])
        tensors[name] = arr.reshape(info["shape"]).astype(np.float64)
    return tensors


class Bert:
    def __init__(self, model_dir):
        cfg = json.loads((Path(model_dir) / "config.json").read_text())
        pooling = Path(model_dir) / "1_Pooling" / "config.json"
        self.cls_pooling = pooling.exists() and json.loads(pooling.read_text()).get("pooling_mode_cls_token", False)
        self.layers = cfg["num_hidden_layers"]
        self.heads = cfg["num_attention_heads"]
        self.eps = cfg["layer_norm_eps"]
        self.w = load_safetensors(Path(model_dir) / "model.safetensors")

    def _ln(self, x, prefix):
        mu = x.mean(axis=-1, keepdims=True)
        var = ((x - mu) ** 2).mean(axis=-1, keepdims=True)
        return (x - mu) / np.sqrt(var + self.eps) * self.w[prefix + ".weight"] + self.w[prefix + ".bias"]

    def _dense(self, x, prefix):
        return x @ self.w[prefix + ".weight"].T + self.w[prefix + ".bias"]

    def encode(self, ids):
        w = self.w
        n = len(ids)
        x = (w["embeddings.word_embeddings.weight"][ids]
             + w["embeddings.position_embeddings.weight"][:n]
             + w["embeddings.token_type_embeddings.weight"][0])
        x = self._ln(x, "embeddings.LayerNorm")
        hidden = x.shape[1]
        d = hidden // self.heads
        erf = np.vectorize(math.erf)
        for i in range(self.layers):
            p = f"encoder.layer.{i}."
            q = self._dense(x, p + "attention.self.query").reshape(n, self.heads, d).transpose(1, 0, 2)
            k = self._dense(x, p + "attention.self.key").reshape(n, self.heads, d).transpose(1, 0, 2)
            v = self._dense(x, p + "attention.self.value").reshape(n, self.heads, d).transpose(1, 0, 2)
            scores = q @ k.transpose(0, 2, 1) / math.sqrt(d)
            scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
            probs = scores / scores.sum(axis=-1, keepdims=True)
            ctx = (probs @ v).transpose(1, 0, 2).reshape(n, hidden)
            x = self._ln(self._dense(ctx, p + "attention.output.dense") + x,
                         p + "attention.output.LayerNorm")
            h = self._dense(x, p + "intermediate.dense")
            h = 0.5 * h * (1.0 + erf(h / math.sqrt(2.0)))
            x = self._ln(self._dense(h, p + "output.dense") + x, p + "output.LayerNorm")
        pooled = x[0] if self.cls_pooling else x.mean(axis=0)
        return pooled / max(np.linalg.norm(pooled), 1e-12)


# Code point ranges the random tokenizer cases draw from: scripts with accents, case and
# decompositions, punctuation and symbols of all kinds, characters that are dropped.
RANDOM_RANGES = [
    (0x20, 0x7E), (0x20, 0x7E), (0x00, 0x1F), (0x7F, 0xFF), (0x100, 0x24F), (0x250, 0x2FF),
    (0x300, 0x36F), (0x370, 0x3FF), (0x400, 0x4FF), (0x400, 0x45F), (0x530, 0x58F),
    (0x590, 0x5FF), (0x600, 0x6FF), (0x900, 0x97F), (0xE00, 0xE7F), (0x10A0, 0x10FF),
    (0x1E00, 0x1FFF), (0x2000, 0x206F), (0x20A0, 0x20CF), (0x2100, 0x218F), (0x2190, 0x23FF),
    (0x2460, 0x24FF), (0x3000, 0x303F), (0x3040, 0x30FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF),
    (0xAC00, 0xD7A3), (0xE000, 0xE0FF), (0xF900, 0xFAFF), (0xFB00, 0xFB4F), (0xFE30, 0xFE4F),
    (0xFF00, 0xFFEF), (0xFFF0, 0xFFFF), (0x1D400, 0x1D7FF), (0x1F300, 0x1FAFF),
    (0x20000, 0x2A6DF), (0xE0000, 0xE007F),
]
WORDS = ["password", "reset", "refund", "invoice", "Customer", "SUPPORT", "e-mail", "don't",
         "пароль", "Сбросить", "ёлка", "Йога", "café", "NAÏVE", "straße", "İstanbul", "ΣΟΦΊΑ",
         "[SEP]", "[MASK]", "[unk]", "##ing", "unaffable", "3.14", "$100", "user@example.com"]


def random_texts(count, seed=20240601):
    rng = random.Random(seed)
    texts = []
    for _ in range(count):
        parts = []
        for _ in range(rng.randint(1, 10)):
            if rng.random() < 0.4:
                parts.append(rng.choice(WORDS))
                continue
            lo, hi = rng.choice(RANDOM_RANGES)
            chars = []
            for _ in range(rng.randint(1, 8)):
                cp = rng.randint(lo, hi)
                if 0xD800 <= cp <= 0xDFFF:
                    continue
                chars.append(chr(cp))
            parts.append("".join(chars))
        texts.append(rng.choice([" ", "", "  ", "\t"]).join(parts))
    return texts


# ---------------------------------------------------------------------------------------------


def tokenize(model_dir, texts):
    """Token ids per text: from `tokenizers` when installed (the reference), else from ours."""
    ours = BertTokenizer(Path(model_dir) / "vocab.txt")
    hf = hf_tokenizer(model_dir)
    if hf is None:
        print("note: `tokenizers` not installed; token ids come from reference.py alone",
              file=sys.stderr)
        return [ours.encode(t) for t in texts]
    result, differ = [], 0
    for t in texts:
        theirs = hf.encode(t).ids
        if theirs != ours.encode(t):
            differ += 1
        result.append(theirs)
    if differ:
        # Expected only for rare code points whose Unicode properties differ between Python's
        # Unicode version and the tokenizers crate's (e.g. tag characters).
        print(f"note: the fallback tokenizer differs from `tokenizers` on {differ} of {len(texts)} texts",
              file=sys.stderr)
    return result


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model-dir", required=True)
    ap.add_argument("--fixtures", help="write test fixtures (JSON) to this path")
    ap.add_argument("--tokenizer-cases", help="write random tokenizer cases (JSON) to this path")
    ap.add_argument("--check", action="store_true", help="compare with published values")
    ap.add_argument("--onnx", help="compare with onnxruntime running this ONNX model")
    ap.add_argument("--name", default="sentence-transformers/all-MiniLM-L6-v2",
                    help="the model's name, written into the fixtures")
    ap.add_argument("texts", nargs="*")
    args = ap.parse_args()

    model = Bert(args.model_dir)
    if args.check:
        # sentence-transformers' output for "hello world", as pinned by fastembed's test suite.
        published = np.array([-0.034478, 0.03102, 0.00673, 0.02611, -0.039362])
        got = model.encode(tokenize(args.model_dir, ["hello world"])[0])[:5]
        print("hello world ->", np.round(got, 6))
        if not np.allclose(got, published, atol=1e-5):
            sys.exit("reference disagrees with published sentence-transformers values")
        print("ok: matches sentence-transformers")
    if args.onnx:
        import onnxruntime

        session = onnxruntime.InferenceSession(args.onnx)
        worst = 1.0
        for text, ids in zip(FIXTURE_TEXTS, tokenize(args.model_dir, FIXTURE_TEXTS)):
            feed = {"input_ids": np.array([ids], dtype=np.int64),
                    "attention_mask": np.ones((1, len(ids)), dtype=np.int64),
                    "token_type_ids": np.zeros((1, len(ids)), dtype=np.int64)}
            hidden = session.run(None, feed)[0][0]
            theirs = hidden[0] if model.cls_pooling else hidden.mean(axis=0)
            theirs = theirs / np.linalg.norm(theirs)
            worst = min(worst, float(np.dot(theirs, model.encode(ids))))
        print(f"lowest cosine against onnxruntime over {len(FIXTURE_TEXTS)} texts: {worst:.7f}")
        if worst < 0.9999:
            sys.exit("reference disagrees with onnxruntime")
    if args.fixtures:
        cases = []
        for text, ids in zip(FIXTURE_TEXTS, tokenize(args.model_dir, FIXTURE_TEXTS)):
            emb = model.encode(ids)
            cases.append({"text": text, "ids": ids,
                          "embedding": [round(float(v), 6) for v in emb]})
        doc = {
            "model": args.name,
            "max_tokens": MAX_TOKENS,
            "generated_by": "tools/encoder/reference.py --fixtures",
            "cases": cases,
        }
        Path(args.fixtures).write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n",
                                       encoding="utf-8")
        print(f"wrote {len(cases)} cases to {args.fixtures}")
    if args.tokenizer_cases:
        if hf_tokenizer(args.model_dir) is None:
            sys.exit("--tokenizer-cases needs the `tokenizers` package: it is the reference")
        texts = random_texts(300)
        cases = [{"text": t, "ids": ids} for t, ids in zip(texts, tokenize(args.model_dir, texts))]
        doc = {"max_tokens": MAX_TOKENS, "generated_by": "tools/encoder/reference.py --tokenizer-cases",
               "cases": cases}
        Path(args.tokenizer_cases).write_text(json.dumps(doc, ensure_ascii=False) + "\n",
                                              encoding="utf-8")
        print(f"wrote {len(cases)} cases to {args.tokenizer_cases}")
    for text, ids in zip(args.texts, tokenize(args.model_dir, args.texts)):
        emb = model.encode(ids)
        print(json.dumps({"text": text, "ids": ids, "embedding[:8]": [round(float(v), 6) for v in emb[:8]]},
                         ensure_ascii=False))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Converts a Hugging Face BERT exported to ONNX (as Xenova's / optimum's exports are) into the
files libs/encoder's Encoder loads: model.safetensors with the PyTorch parameter names,
vocab.txt, config.json and a sentence-transformers pooling config.

  onnx_to_safetensors.py --onnx model.onnx --tokenizer tokenizer.json --heads 12 \
      --pooling cls|mean --out DIR

Standard library only: ONNX is a protobuf file, and the few fields needed (the graph's nodes and
its initializers) are read straight from the wire format. The export names most tensors as the
PyTorch model does; a Linear's weight, though, becomes an anonymous "onnx::MatMul_N" initializer
holding the transposed matrix, so its name is taken from the MatMul node that reads it
("/encoder/layer.3/attention/self/query/MatMul" -> "encoder.layer.3.attention.self.query.weight").
The output is deterministic: the same input gives byte-identical files.
"""

import argparse
import json
import struct
import sys
from pathlib import Path

FLOAT = 1  # TensorProto.DataType.FLOAT


def varint(buf, pos):
    result = shift = 0
    while True:
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if b < 0x80:
            return result, pos
        shift += 7


def fields(buf):
    """Yields (field number, wire type, value) over one protobuf message; a length-delimited
    value is a memoryview of its bytes."""
    pos, end = 0, len(buf)
    while pos < end:
        key, pos = varint(buf, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = varint(buf, pos)
        elif wire == 1:
            value, pos = buf[pos:pos + 8], pos + 8
        elif wire == 2:
            size, pos = varint(buf, pos)
            value, pos = buf[pos:pos + size], pos + size
        elif wire == 5:
            value, pos = buf[pos:pos + 4], pos + 4
        else:
            raise ValueError(f"unsupported protobuf wire type {wire}")
        yield number, wire, value


def read_tensor(buf):
    dims, dtype, name, raw, floats = [], None, None, None, []
    for number, wire, value in fields(buf):
        if number == 1:  # dims: packed or not
            if wire == 2:
                p = 0
                while p < len(value):
                    d, p = varint(value, p)
                    dims.append(d)
            else:
                dims.append(value)
        elif number == 2:
            dtype = value
        elif number == 4:  # float_data, packed
            floats.append(bytes(value))
        elif number == 8:
            name = bytes(value).decode()
        elif number == 9:
            raw = bytes(value)
        elif number == 13:
            raise ValueError(f"tensor {name}: external data is not supported")
    if dtype != FLOAT:
        raise ValueError(f"tensor {name}: data type {dtype}, only float32 is supported")
    data = raw if raw is not None else b"".join(floats)
    count = 1
    for d in dims:
        count *= d
    if len(data) != 4 * count:
        raise ValueError(f"tensor {name}: {len(data)} bytes for shape {dims}")
    return name, dims, data


def read_node(buf):
    inputs, name, op = [], "", ""
    for number, _, value in fields(buf):
        if number == 1:
            inputs.append(bytes(value).decode())
        elif number == 3:
            name = bytes(value).decode()
        elif number == 4:
            op = bytes(value).decode()
    return name, op, inputs


def read_model(path):
    data = memoryview(Path(path).read_bytes())
    graph = next((v for n, w, v in fields(data) if n == 7 and w == 2), None)
    if graph is None:
        raise ValueError(f"{path}: no graph (is it an ONNX model?)")
    tensors, nodes = {}, []
    for number, _, value in fields(graph):
        if number == 1:
            nodes.append(read_node(value))
        elif number == 5:
            name, dims, raw = read_tensor(value)
            tensors[name] = (dims, raw)
    return tensors, nodes


def transpose(dims, raw):
    rows, cols = dims
    values = struct.unpack(f"<{rows * cols}f", raw)
    out = [0.0] * (rows * cols)
    for r in range(rows):
        out[r::rows] = values[r * cols:(r + 1) * cols]
    return [cols, rows], struct.pack(f"<{rows * cols}f", *out)


def pytorch_names(tensors, nodes):
    """The model's parameters under their PyTorch names, Linear weights as [out, in]."""
    named = {}
    for name, op, inputs in nodes:
        if op != "MatMul":
            continue
        weight = [i for i in inputs if i in tensors]
        if not weight:
            continue  # attention's activation x activation products
        if not name.startswith("/") or not name.endswith("/MatMul") or len(weight) != 1:
            raise ValueError(f"unexpected weight product {name!r} {inputs}")
        dims, raw = tensors[weight[0]]
        if len(dims) != 2:
            raise ValueError(f"{weight[0]}: shape {dims} is not a matrix")
        param = name[1:-len("/MatMul")].replace("/", ".") + ".weight"
        named[param] = transpose(dims, raw)
    for name, value in tensors.items():
        if not name.startswith("onnx::"):
            named[name] = value
    leftover = [n for n in tensors if n.startswith("onnx::") and not any(
        n in inputs for _, op, inputs in nodes if op == "MatMul")]
    if leftover:
        raise ValueError(f"initializers with no known parameter name: {leftover[:5]}")
    return named


def write_safetensors(path, named):
    header, offset = {}, 0
    for name in sorted(named):
        dims, raw = named[name]
        header[name] = {"dtype": "F32", "shape": dims, "data_offsets": [offset, offset + len(raw)]}
        offset += len(raw)
    blob = json.dumps(header, separators=(",", ":"), sort_keys=True).encode()
    blob += b" " * (-len(blob) % 8)
    with open(path, "wb") as out:
        out.write(struct.pack("<Q", len(blob)))
        out.write(blob)
        for name in sorted(named):
            out.write(named[name][1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--onnx", required=True, help="the exported model (model.onnx)")
    parser.add_argument("--tokenizer", required=True, help="its tokenizer.json (a WordPiece vocabulary)")
    parser.add_argument("--heads", type=int, required=True, help="attention heads (from the model card)")
    parser.add_argument("--pooling", choices=["cls", "mean"], required=True)
    parser.add_argument("--out", required=True, help="directory to write into")
    args = parser.parse_args()

    tensors, nodes = read_model(args.onnx)
    named = pytorch_names(tensors, nodes)
    vocab_size, hidden = named["embeddings.word_embeddings.weight"][0]
    layers = 1 + max(int(n.split(".")[2]) for n in named if n.startswith("encoder.layer."))
    config = {
        "model_type": "bert",
        "hidden_act": "gelu",
        "position_embedding_type": "absolute",
        "vocab_size": vocab_size,
        "hidden_size": hidden,
        "num_hidden_layers": layers,
        "num_attention_heads": args.heads,
        "intermediate_size": named["encoder.layer.0.intermediate.dense.weight"][0][0],
        "max_position_embeddings": named["embeddings.position_embeddings.weight"][0][0],
        "type_vocab_size": named["embeddings.token_type_embeddings.weight"][0][0],
        "layer_norm_eps": 1e-12,
    }
    tokenizer = json.loads(Path(args.tokenizer).read_text(encoding="utf-8"))
    model = tokenizer.get("model", {})
    if model.get("type") != "WordPiece":
        sys.exit(f"{args.tokenizer}: model type {model.get('type')!r}, expected WordPiece")
    by_id = sorted(model["vocab"].items(), key=lambda kv: kv[1])
    if [i for _, i in by_id] != list(range(len(by_id))) or len(by_id) != vocab_size:
        sys.exit(f"{args.tokenizer}: vocabulary ids are not 0..{vocab_size - 1}")

    out = Path(args.out)
    (out / "1_Pooling").mkdir(parents=True, exist_ok=True)
    write_safetensors(out / "model.safetensors", named)
    (out / "vocab.txt").write_text("".join(t + "\n" for t, _ in by_id), encoding="utf-8")
    (out / "config.json").write_text(json.dumps(config, indent=2) + "\n")
    pooling = {"word_embedding_dimension": hidden, "pooling_mode_cls_token": args.pooling == "cls",
               "pooling_mode_mean_tokens": args.pooling == "mean"}
    (out / "1_Pooling" / "config.json").write_text(json.dumps(pooling, indent=2) + "\n")


if __name__ == "__main__":
    try:
        main()
    except (OSError, ValueError, KeyError, IndexError) as e:
        sys.exit(f"onnx_to_safetensors: error: {type(e).__name__}: {e}")

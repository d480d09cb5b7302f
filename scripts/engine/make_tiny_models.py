"""Writes tiny random-weight Llama-architecture GGUF models, one per tensor format the engine
multiplies with, so the engine's formats are tested end to end without downloads:
    tiny-llama-<format>.gguf   (f32, f16, bf16, q4_0, q4_1, q5_0, q5_1, q8_0, q2_k, q3_k, q4_k, q5_k, q6_k)
Two layers, width 256, 4 query and 2 key-value heads, a feed-forward of 512, a byte-level BPE
vocabulary of 512 tokens (the 256 bytes, 255 merges of common pairs, an end token). Every 2-D
weight is in the file's format; norms are F32, as in every file llama.cpp writes (it cannot
run others). The same seed gives the same bytes, so reference logits
made from them once (scripts/engine/tiny_model_logits.py) hold for every later run.

Usage: python make_tiny_models.py OUTPUT_DIR   (needs the `gguf` package and numpy)
"""
import pathlib
import sys

import numpy as np
import gguf
from gguf import GGMLQuantizationType as T
from gguf.quants import quantize

WIDTH, HIDDEN, LAYERS, HEADS, KV_HEADS, VOCAB, CONTEXT = 256, 512, 2, 4, 2, 512, 256
FORMATS = {"f32": T.F32, "f16": T.F16, "bf16": T.BF16, "q4_0": T.Q4_0, "q4_1": T.Q4_1, "q5_0": T.Q5_0, "q5_1": T.Q5_1,
           "q8_0": T.Q8_0, "q2_k": T.Q2_K, "q3_k": T.Q3_K, "q4_k": T.Q4_K, "q5_k": T.Q5_K, "q6_k": T.Q6_K}
# K-quant blocks are random bytes (gguf-py cannot quantize them) with their half-precision
# scales at these offsets drawn up to these sizes, chosen to centre and size the weights.
K_QUANTS = {T.Q2_K: (84, [(80, 0.004), (82, 0.006)]), T.Q3_K: (110, [(108, 0.002)]), T.Q4_K: (144, [(0, 0.0004), (2, 0.003)]),
            T.Q5_K: (176, [(0, 0.0002), (2, 0.003)]), T.Q6_K: (210, [(208, 0.0002)])}


def byte_alphabet():
    """GPT-2's byte-to-unicode map: the printable stand-in for every byte."""
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    chars, extra = printable[:], 0
    for b in range(256):
        if b not in printable:
            printable.append(b)
            chars.append(256 + extra)
            extra += 1
    return {b: chr(c) for b, c in zip(printable, chars)}


def vocabulary():
    alphabet = byte_alphabet()
    tokens = [alphabet[b] for b in range(256)]
    merges = []
    text = "the quick brown fox jumps over the lazy dog and then it runs back home to rest " * 4
    pieces = [[alphabet[c] for c in (" " + w).encode()] for w in text.split()]
    # Greedy pair merges over the sample text, until the vocabulary is full.
    while len(tokens) < VOCAB - 1:
        counts = {}
        for piece in pieces:
            for a, b in zip(piece, piece[1:]):
                counts[(a, b)] = counts.get((a, b), 0) + 1
        if not counts:
            break
        (a, b), _ = max(counts.items(), key=lambda item: (item[1], item[0]))
        merges.append(f"{a} {b}")
        tokens.append(a + b)
        pieces = [merge_pair(piece, a, b) for piece in pieces]
    while len(tokens) < VOCAB - 1:
        tokens.append(f"<unused{len(tokens)}>")
    tokens.append("<|end|>")
    return tokens, merges


def merge_pair(piece, a, b):
    out, i = [], 0
    while i < len(piece):
        if i + 1 < len(piece) and piece[i] == a and piece[i + 1] == b:
            out.append(a + b)
            i += 2
        else:
            out.append(piece[i])
            i += 1
    return out


def weight(rng, kind, rows, columns):
    """A rows x columns weight in `kind`, as the bytes GGUF stores."""
    if kind in K_QUANTS:
        bytes_per_block, scales = K_QUANTS[kind]
        blocks = rng.integers(0, 256, size=(rows * columns // 256, bytes_per_block), dtype=np.uint8)
        for offset, size in scales:
            blocks[:, offset:offset + 2] = rng.uniform(0.5 * size, size, blocks.shape[0]).astype(np.float16).view(np.uint8).reshape(-1, 2)
        return blocks.reshape(rows, -1)
    values = (rng.standard_normal((rows, columns)) * 0.08).astype(np.float32)
    if kind == T.F32:
        return values
    return quantize(values, kind)


def write(path, name, kind):
    rng = np.random.default_rng(sum(map(ord, name)))
    writer = gguf.GGUFWriter(str(path), "llama")
    writer.add_name(f"tiny-llama-{name}")
    writer.add_context_length(CONTEXT)
    writer.add_embedding_length(WIDTH)
    writer.add_block_count(LAYERS)
    writer.add_feed_forward_length(HIDDEN)
    writer.add_head_count(HEADS)
    writer.add_head_count_kv(KV_HEADS)
    writer.add_rope_dimension_count(WIDTH // HEADS)
    writer.add_rope_freq_base(10000.0)
    writer.add_layer_norm_rms_eps(1e-5)
    writer.add_file_type(int(kind))
    tokens, merges = vocabulary()
    writer.add_tokenizer_model("gpt2")
    writer.add_tokenizer_pre("smollm")
    writer.add_token_list(tokens)
    writer.add_token_types([1] * (VOCAB - 1) + [3])
    writer.add_token_merges(merges)
    writer.add_eos_token_id(VOCAB - 1)
    writer.add_add_bos_token(False)

    def norm(tensor_name):
        writer.add_tensor(tensor_name, (1.0 + 0.1 * rng.standard_normal(WIDTH)).astype(np.float32))

    def matrix(tensor_name, rows, columns):
        data = weight(rng, kind, rows, columns)
        writer.add_tensor(tensor_name, data, raw_dtype=None if kind == T.F32 else kind)

    kv = WIDTH // HEADS * KV_HEADS
    matrix("token_embd.weight", VOCAB, WIDTH)
    for layer in range(LAYERS):
        p = f"blk.{layer}."
        norm(p + "attn_norm.weight")
        matrix(p + "attn_q.weight", WIDTH, WIDTH)
        matrix(p + "attn_k.weight", kv, WIDTH)
        matrix(p + "attn_v.weight", kv, WIDTH)
        matrix(p + "attn_output.weight", WIDTH, WIDTH)
        norm(p + "ffn_norm.weight")
        matrix(p + "ffn_gate.weight", HIDDEN, WIDTH)
        matrix(p + "ffn_up.weight", HIDDEN, WIDTH)
        matrix(p + "ffn_down.weight", WIDTH, HIDDEN)
    norm("output_norm.weight")
    matrix("output.weight", VOCAB, WIDTH)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


def main():
    out = pathlib.Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    for name, kind in FORMATS.items():
        path = out / f"tiny-llama-{name}.gguf"
        write(path, name, kind)
        print(f"{path} ({path.stat().st_size} bytes)")


if __name__ == "__main__":
    main()

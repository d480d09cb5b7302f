"""Writes tiny random-weight GGUF models of the architectures and pre-tokenizers beyond SmolLM2's,
so the engine's other families are tested end to end without downloads:
    tiny-qwen2.gguf    qwen2: q/k/v biases, output tied to the embedding, pre-tokenizer "qwen2"
    tiny-qwen3.gguf    qwen3: per-head q/k norms, heads of 96 in a width of 256, pre-tokenizer "qwen2"
    tiny-llama3.gguf   llama with Llama 3's pre-tokenizer "llama-bpe"
Two layers, width 256, 4 query and 2 key-value heads, a feed-forward of 512, every weight F32 (so
both engines compute the same function without quantizing the weights). The vocabulary of 512
tokens is byte-level: the 256 bytes, merges learnt over a sample text taken whole (so they join
digits, contractions, spaces, newlines and punctuation across what a pre-tokenizer keeps apart,
and the pre-tokenizer decides which of them apply), a few whole words that no merge builds
(which only Llama 3's vocabulary handling takes whole), and an end token. No chat template.
The same seed gives the same bytes, so the llama.cpp reference made from them once
(scripts/engine/tiny_architecture_reference.py) holds for every later run.

Usage: python make_tiny_architectures.py OUTPUT_DIR   (needs the `gguf` package and numpy)
"""
import pathlib
import sys

import numpy as np
import gguf
from gguf import GGMLQuantizationType as T

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from make_tiny_models import byte_alphabet, merge_pair, weight  # noqa: E402

WIDTH, HIDDEN, LAYERS, HEADS, KV_HEADS, VOCAB, CONTEXT = 256, 512, 2, 4, 2, 512, 256
QWEN3_HEAD = 96
SAMPLE = (
    "I'LL say it: don't stop, we'RE here and you've seen it. They'd go, she'll come, it's 12345 or 6789 or 2024!\n\n"
    "  \t x = 100 + 250 * 3.14159;\n\tif (a >= b) { return a...b; }\r\n"
    "hello   world... wait!!! what??? ok -- fine, naïve café 日本語 😀 Ωμέγα\n"
    "    indented line\n\n\nend of text   \n"
    "The 3 cats don't like 42 dogs; I'M sure THEY'LL say 'no'... 1999, 2000, 31415 -- hello there!\n"
)
LONGEST = 5  # characters of the longest merged token
# Whole words no merge builds: Llama 3's tokenizer takes a piece that is a token whole.
WHOLE_WORDS = [" zebra", "quux", " 日本", "!!!\n"]
MODELS = {
    "qwen2": dict(arch="qwen2", pre="qwen2", head=WIDTH // HEADS, biases=True, head_norms=False, tied=True, rope_base=1000000.0),
    "qwen3": dict(arch="qwen3", pre="qwen2", head=QWEN3_HEAD, biases=False, head_norms=True, tied=False, rope_base=1000000.0),
    "llama3": dict(arch="llama", pre="llama-bpe", head=WIDTH // HEADS, biases=False, head_norms=False, tied=False, rope_base=500000.0),
}


def vocabulary():
    alphabet = byte_alphabet()
    tokens = [alphabet[b] for b in range(256)]
    whole = ["".join(alphabet[b] for b in word.encode()) for word in WHOLE_WORDS]
    merges = []
    sequence = [alphabet[b] for b in SAMPLE.encode()]
    # Greedy merges of the most frequent pair in the sample taken as one piece, up to tokens of
    # LONGEST characters, until none is left or the vocabulary is full.
    while len(tokens) < VOCAB - 1 - len(whole):
        counts = {}
        for a, b in zip(sequence, sequence[1:]):
            if len(a + b) <= LONGEST and a + b not in tokens and a + b not in whole:
                counts[(a, b)] = counts.get((a, b), 0) + 1
        if not counts:
            break
        (a, b), _ = max(counts.items(), key=lambda item: (item[1], item[0]))
        merges.append(f"{a} {b}")
        tokens.append(a + b)
        sequence = merge_pair(sequence, a, b)
    tokens += whole
    while len(tokens) < VOCAB - 1:
        tokens.append(f"<unused{len(tokens)}>")
    tokens.append("<|end|>")
    return tokens, merges


def write(path, name, spec):
    rng = np.random.default_rng(sum(map(ord, "arch-" + name)))
    head = spec["head"]
    writer = gguf.GGUFWriter(str(path), spec["arch"])
    writer.add_name(f"tiny-{name}")
    writer.add_context_length(CONTEXT)
    writer.add_embedding_length(WIDTH)
    writer.add_block_count(LAYERS)
    writer.add_feed_forward_length(HIDDEN)
    writer.add_head_count(HEADS)
    writer.add_head_count_kv(KV_HEADS)
    writer.add_key_length(head)
    writer.add_value_length(head)
    writer.add_rope_dimension_count(head)
    writer.add_rope_freq_base(spec["rope_base"])
    writer.add_layer_norm_rms_eps(1e-6)
    writer.add_file_type(int(T.F32))
    tokens, merges = vocabulary()
    writer.add_tokenizer_model("gpt2")
    writer.add_tokenizer_pre(spec["pre"])
    writer.add_token_list(tokens)
    writer.add_token_types([1] * (VOCAB - 1) + [3])
    writer.add_token_merges(merges)
    writer.add_eos_token_id(VOCAB - 1)
    writer.add_add_bos_token(False)

    def vector(tensor_name, length, centre, spread):
        writer.add_tensor(tensor_name, (centre + spread * rng.standard_normal(length)).astype(np.float32))

    def matrix(tensor_name, rows, columns):
        writer.add_tensor(tensor_name, weight(rng, T.F32, rows, columns))

    query, kv = HEADS * head, KV_HEADS * head
    matrix("token_embd.weight", VOCAB, WIDTH)
    for layer in range(LAYERS):
        p = f"blk.{layer}."
        vector(p + "attn_norm.weight", WIDTH, 1.0, 0.1)
        matrix(p + "attn_q.weight", query, WIDTH)
        matrix(p + "attn_k.weight", kv, WIDTH)
        matrix(p + "attn_v.weight", kv, WIDTH)
        if spec["biases"]:
            vector(p + "attn_q.bias", query, 0.0, 0.5)
            vector(p + "attn_k.bias", kv, 0.0, 0.5)
            vector(p + "attn_v.bias", kv, 0.0, 0.5)
        if spec["head_norms"]:
            vector(p + "attn_q_norm.weight", head, 1.0, 0.2)
            vector(p + "attn_k_norm.weight", head, 1.0, 0.2)
        matrix(p + "attn_output.weight", WIDTH, query)
        vector(p + "ffn_norm.weight", WIDTH, 1.0, 0.1)
        matrix(p + "ffn_gate.weight", HIDDEN, WIDTH)
        matrix(p + "ffn_up.weight", HIDDEN, WIDTH)
        matrix(p + "ffn_down.weight", WIDTH, HIDDEN)
    vector("output_norm.weight", WIDTH, 1.0, 0.1)
    if not spec["tied"]:
        matrix("output.weight", VOCAB, WIDTH)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


def main():
    out = pathlib.Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    for name, spec in MODELS.items():
        path = out / f"tiny-{name}.gguf"
        write(path, name, spec)
        print(f"{path} ({path.stat().st_size} bytes)")


if __name__ == "__main__":
    main()

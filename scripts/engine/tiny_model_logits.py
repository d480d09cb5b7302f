"""Writes Tests/RakisEngineTests/Reference/tiny-llama.llama-cpp.json: llama.cpp's logits (through
llama-cpp-python) after each test prompt, for each tiny random-weight model
(scripts/engine/make_tiny_models.py), with the sha256 of the model file they came from; and the
model's exact logits: llama.cpp's on a copy of the model whose weights are dequantized to F32
(gguf-py), so that both engines' quantization error can be measured against the same thing.

Usage, with the benchmark's venv (benchmarks/llm.sh --setup builds llama-cpp-python) and the
tiny models (scripts/engine/tiny-models.sh prints their directory):
    benchmarks/.venv/bin/python scripts/engine/tiny_model_logits.py "$(scripts/engine/tiny-models.sh)"
"""
import hashlib
import json
import pathlib
import sys

import llama_cpp
import numpy as np
import gguf
from gguf.quants import dequantize

FORMATS = ["f32", "f16", "bf16", "q4_0", "q4_1", "q5_0", "q5_1", "q8_0", "q2_k", "q3_k", "q4_k", "q5_k", "q6_k"]
# Token ids, as TensorFormatModelTests.prompts lists them.
PROMPTS = [[1, 2, 3, 300, 301], [i * 11 % 511 for i in range(40)], [256, 257, 258]]


def logits_after(model_path, prompt):
    llm = llama_cpp.Llama(model_path=str(model_path), n_ctx=256, n_batch=64, n_threads=1, logits_all=True,
                          verbose=False, seed=0)
    llm.reset()
    llm.eval(prompt)
    values = [float(x) for x in llm.scores[llm.n_tokens - 1]]
    llm.close()
    return values


def dequantized_copy(path, target):
    """The model with every tensor in F32: the values its quantized weights stand for."""
    reader = gguf.GGUFReader(str(path))
    writer = gguf.GGUFWriter(str(target), "llama")
    for field in reader.fields.values():
        if field.name.startswith("GGUF.") or field.name == "general.architecture":
            continue
        kind = field.types[0]
        if kind == gguf.GGUFValueType.ARRAY:
            items = [field.parts[i] for i in field.data]
            if field.types[1] == gguf.GGUFValueType.STRING:
                writer.add_array(field.name, [bytes(x).decode() for x in items])
            else:
                writer.add_array(field.name, [x.tolist()[0] for x in items])
        elif kind == gguf.GGUFValueType.STRING:
            writer.add_string(field.name, bytes(field.parts[field.data[0]]).decode())
        else:
            writer.add_key_value(field.name, field.parts[field.data[0]].tolist()[0], kind)
    for tensor in reader.tensors:
        values = dequantize(tensor.data, tensor.tensor_type).astype(np.float32)
        writer.add_tensor(tensor.name, values.reshape([int(n) for n in reversed(tensor.shape)]))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


def main():
    directory = pathlib.Path(sys.argv[1])
    out = {"llamaCppPython": llama_cpp.__version__, "prompts": PROMPTS, "models": {}}
    for name in FORMATS:
        path = directory / f"tiny-llama-{name}.gguf"
        exact = pathlib.Path("/tmp") / f"tiny-llama-{name}-dequantized.gguf"
        dequantized_copy(path, exact)
        out["models"][name] = {
            "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
            "logits": [logits_after(path, prompt) for prompt in PROMPTS],
            "exactLogits": [logits_after(exact, prompt) for prompt in PROMPTS],
        }
        exact.unlink()
        print(name, "done", file=sys.stderr)
    target = pathlib.Path(__file__).resolve().parents[2] / "Tests/RakisEngineTests/Reference/tiny-llama.llama-cpp.json"
    target.write_text(json.dumps(out) + "\n")
    print(f"wrote {target} ({target.stat().st_size} bytes)")


if __name__ == "__main__":
    main()

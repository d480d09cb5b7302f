"""Writes Tests/RakisEngineTests/Reference/tiny-llama.llama-cpp.json: llama.cpp's logits (through
llama-cpp-python) after each test prompt, for each tiny random-weight model
(scripts/engine/make_tiny_models.py), with the sha256 of the model file they came from.

Usage, with the benchmark's venv (benchmarks/llm.sh --setup builds llama-cpp-python) and the
tiny models (scripts/engine/tiny-models.sh prints their directory):
    benchmarks/.venv/bin/python scripts/engine/tiny_model_logits.py "$(scripts/engine/tiny-models.sh)"
"""
import hashlib
import json
import pathlib
import sys

import llama_cpp

FORMATS = ["f32", "f16", "bf16", "q4_0", "q4_1", "q5_0", "q5_1", "q8_0", "q3_k", "q4_k", "q5_k", "q6_k"]
# Token ids, as TensorFormatModelTests.prompts lists them.
PROMPTS = [[1, 2, 3, 300, 301], [i * 11 % 511 for i in range(40)], [256, 257, 258]]


def logits_after(model_path, prompt):
    llm = llama_cpp.Llama(model_path=str(model_path), n_ctx=256, n_batch=64, n_threads=1, logits_all=False,
                          verbose=False, seed=0)
    llm.reset()
    llm.eval(prompt)
    values = [float(x) for x in llm.scores[llm.n_tokens - 1]]
    llm.close()
    return values


def main():
    directory = pathlib.Path(sys.argv[1])
    out = {"llamaCppPython": llama_cpp.__version__, "prompts": PROMPTS, "models": {}}
    for name in FORMATS:
        path = directory / f"tiny-llama-{name}.gguf"
        out["models"][name] = {
            "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
            "logits": [logits_after(path, prompt) for prompt in PROMPTS],
        }
        print(name, "done", file=sys.stderr)
    target = pathlib.Path(__file__).resolve().parents[2] / "Tests/RakisEngineTests/Reference/tiny-llama.llama-cpp.json"
    target.write_text(json.dumps(out) + "\n")
    print(f"wrote {target} ({target.stat().st_size} bytes)")


if __name__ == "__main__":
    main()

"""Writes Tests/RakisEngineTests/Reference/tiny-architectures.llama-cpp.json: for each tiny model of
scripts/engine/make_tiny_architectures.py, the sha256 of the file, llama.cpp's logits (through
llama-cpp-python) after each test prompt of token ids, and llama.cpp's token ids for each test
text (no BOS, special tokens not parsed), which put the pre-tokenizers to the test.

Usage, with the benchmark's venv (benchmarks/llm.sh --setup builds llama-cpp-python) and the
tiny models (scripts/engine/tiny-models.sh prints their directory):
    benchmarks/.venv/bin/python scripts/engine/tiny_architecture_reference.py "$(scripts/engine/tiny-models.sh)"
"""
import hashlib
import json
import pathlib
import sys

import llama_cpp

MODELS = ["qwen2", "qwen3", "llama3"]
# Token ids, as TinyArchitectureTests.prompts lists them.
PROMPTS = [[1, 2, 3, 300, 301], [i * 11 % 509 for i in range(40)], [256, 257, 258]]
TEXTS = [
    "I'LL go, you'Re right, she'S here, we'VE won, they'D know, I'M in, don'T",
    "don't stop, it's fine, we're ok, you've seen, I'll see, he'd go, I'm here",
    "'s 'S 'll 'LL 're 'Ve 'x ''s",
    "we'REALLY I'LLama she'Sam it'sy DON'Tcha",
    "12345 6789 0 42 1999 2000 31415 3.14159 1,000,000",
    "\n\n  \t x",
    "a\n\n  b\r\n\r\nc \n d\t\n",
    "naïve café 日本語 Ωμέγα",
    "emoji 😀👍🏽 and ⭐️ ok",
    "...!!! ??? -- ;;; !!!\n\n",
    "hello   world",
    "trailing spaces   ",
    "   leading spaces",
    "tabs\tand\ttabs\t\t",
    "x = 100 + 250 * 3.14; if (a >= b) { return a...b; }",
    "The zebra quux ate 日本 food!!!\n",
    "٣٤٥ ½ Ⅻ numbers",
    "no\u00a0break\u3000ideographic\u2003em space",
    "I'LL say it: don't stop, we'RE here",
    "",
    " ",
    "\n",
]


def logits_after(llm, prompt):
    llm.reset()
    llm.eval(prompt)
    return [float(x) for x in llm.scores[llm.n_tokens - 1]]


def main():
    directory = pathlib.Path(sys.argv[1])
    out = {"llamaCppPython": llama_cpp.__version__, "prompts": PROMPTS, "texts": TEXTS, "models": {}}
    for name in MODELS:
        path = directory / f"tiny-{name}.gguf"
        llm = llama_cpp.Llama(model_path=str(path), n_ctx=256, n_batch=64, n_threads=1, logits_all=True,
                              verbose=False, seed=0)
        out["models"][name] = {
            "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
            "logits": [logits_after(llm, prompt) for prompt in PROMPTS],
            "tokens": [llm.tokenize(text.encode(), add_bos=False, special=False) for text in TEXTS],
        }
        llm.close()
        print(name, "done", file=sys.stderr)
    target = pathlib.Path(__file__).resolve().parents[2] / "Tests/RakisEngineTests/Reference/tiny-architectures.llama-cpp.json"
    target.write_text(json.dumps(out, ensure_ascii=False) + "\n")
    print(f"wrote {target} ({target.stat().st_size} bytes)")


if __name__ == "__main__":
    main()

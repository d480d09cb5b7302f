"""How llama.cpp from PyPI (llama-cpp-python, benchmarks/llm.sh --setup) matches a reference of
greedy completions (Tests/RakisEngineTests/Reference/*.llama-cpp.json), counted as the engine's
golden tests count: completions whose first 16 tokens are identical, and whole ones.

    benchmarks/.venv/bin/python benchmarks/golden_llama_cpp.py REFERENCE.json MODEL.gguf
"""
import json
import sys

import llama_cpp

reference = json.load(open(sys.argv[1]))
llm = llama_cpp.Llama(model_path=sys.argv[2], n_ctx=512, n_threads=2, verbose=False, logits_all=True)
prefixes, first16, whole = [], 0, 0
for completion in reference["completions"]:
    llm.reset()
    llm.eval(completion["prompt_ids"])
    tokens = []
    for _ in range(reference["n_predict"]):
        token = int(llm.scores[llm.n_tokens - 1].argmax())
        tokens.append(token)
        if token == llm.token_eos():
            break
        llm.eval([token])
    expected = completion["completion_ids"]
    common = 0
    for ours, theirs in zip(tokens, expected):
        if ours != theirs:
            break
        common += 1
    prefixes.append(common)
    first16 += common >= min(16, len(expected))
    whole += common == len(expected)
count = len(prefixes)
print(f"llama-cpp-python {llama_cpp.__version__}: first 16 tokens identical on {first16}/{count}; whole on {whole}/{count}; prefixes {prefixes}")

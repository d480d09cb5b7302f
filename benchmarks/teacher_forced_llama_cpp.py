"""llama.cpp's view of a reference's greedy completions, teacher-forced: each reference
(prompt + completion) fed whole to llama-cpp-python, and at every completion position its top
token and the margin, in nats, between its top two logits. The engine's teacher-forced golden
test counts the positions where llama.cpp is sure (margin above 0.5) and checks that our top
token is the reference's there.

    benchmarks/.venv/bin/python benchmarks/teacher_forced_llama_cpp.py REFERENCE.json MODEL.gguf OUT.json
"""
import json
import sys

import numpy as np
import llama_cpp

reference = json.load(open(sys.argv[1]))
llm = llama_cpp.Llama(model_path=sys.argv[2], n_ctx=1024, n_threads=2, verbose=False, logits_all=True)
out = {"llamaCppPython": llama_cpp.__version__, "reference": sys.argv[1].split("/")[-1], "completions": []}
for completion in reference["completions"]:
    prompt, ids = completion["prompt_ids"], completion["completion_ids"]
    llm.reset()
    llm.eval(prompt + ids)
    tops, margins = [], []
    for position in range(len(ids)):
        logits = np.asarray(llm.scores[len(prompt) - 1 + position])
        first, second = sorted(logits[np.argpartition(logits, -2)[-2:]], reverse=True)
        tops.append(int(logits.argmax()))
        margins.append(round(float(first - second), 4))
    out["completions"].append({"top": tops, "margin": margins})
open(sys.argv[3], "w").write(json.dumps(out) + "\n")
print(f"wrote {sys.argv[3]}")

"""Writes Tests/RakisEngineTests/Reference/quant-blocks.gguf-py.json: for each GGUF block
format the engine multiplies with, a few rows of blocks and their values as the `gguf` package
(llama.cpp's own Python reader, independent of our Swift code) dequantizes them.

Simple quants are quantized from random normal values with gguf-py; K-quant blocks, which
gguf-py does not quantize, are random bytes with a sane half-precision scale (every byte pattern
is a valid K-quant block). Run with a Python that has `gguf` and numpy:
    python3 -m venv /tmp/gguf && /tmp/gguf/bin/pip install gguf==0.19.0
    /tmp/gguf/bin/python scripts/engine/make_quant_blocks.py
"""
import base64
import json
import pathlib

import numpy as np
from gguf import GGMLQuantizationType as T
from gguf.quants import dequantize, quantize

ROWS, COLUMNS = 8, 512
rng = np.random.default_rng(17)


def k_quant_blocks(bytes_per_block, scale_offsets):
    """Random K-quant super-blocks with each half-precision scale at `scale_offsets` in 0.001...0.02."""
    blocks = rng.integers(0, 256, size=(ROWS * COLUMNS // 256, bytes_per_block), dtype=np.uint8)
    for offset in scale_offsets:
        scales = rng.uniform(0.001, 0.02, size=blocks.shape[0]).astype(np.float16)
        blocks[:, offset:offset + 2] = scales.view(np.uint8).reshape(-1, 2)
    return blocks.reshape(ROWS, -1)


formats = {}
values = rng.standard_normal((ROWS, COLUMNS)).astype(np.float32)
formats["F32"] = values.view(np.uint8).reshape(ROWS, -1)
for kind in (T.F16, T.BF16, T.Q4_0, T.Q4_1, T.Q5_0, T.Q5_1, T.Q8_0):
    formats[kind.name] = quantize(values, kind)
formats["Q3_K"] = k_quant_blocks(110, [108])     # d
formats["Q4_K"] = k_quant_blocks(144, [0, 2])    # d, dmin
formats["Q5_K"] = k_quant_blocks(176, [0, 2])    # d, dmin
formats["Q6_K"] = k_quant_blocks(210, [208])     # d
formats["Q2_K"] = k_quant_blocks(84, [80, 82])   # d, dmin (last: the others keep their draws)

out = {}
for name, blocks in formats.items():
    dequantized = dequantize(blocks, T[name]).astype("<f4")
    assert dequantized.shape == (ROWS, COLUMNS)
    out[name] = {
        "rows": ROWS,
        "columns": COLUMNS,
        "blocks": base64.b64encode(np.ascontiguousarray(blocks).tobytes()).decode(),
        "values": base64.b64encode(dequantized.tobytes()).decode(),
    }
target = pathlib.Path(__file__).resolve().parents[2] / "Tests/RakisEngineTests/Reference/quant-blocks.gguf-py.json"
target.write_text(json.dumps(out, indent=1, sort_keys=True) + "\n")
print(f"wrote {target} ({target.stat().st_size} bytes)")

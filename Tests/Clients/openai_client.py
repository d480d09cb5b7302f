"""Drives a Rakis node's OpenAI-compatible API with the official openai package: a completion
(following its live events over server-sent events), a streamed one with its usage chunk, stop
strings, top_p, a two-step tool loop, legacy text completions, embeddings, and a request with
every standard parameter (the ignored ones ignored, the refused ones refused by name). Prints
one JSON line per check; exits 1 on the first failed check.
Usage: openai_client.py http://HOST:PORT MODEL EMBEDDING_MODEL"""
import json
import sys
import threading
import urllib.request

import openai

base, model, embedding_model = sys.argv[1], sys.argv[2], sys.argv[3]
import base64
import math
import struct
client = openai.OpenAI(base_url=base + "/v1", api_key="not-needed", max_retries=0, timeout=120)


def report(check, ok, **details):
    print(json.dumps({"check": check, "ok": ok, **details}), flush=True)
    if not ok:
        sys.exit(1)


models = [m.id for m in client.models.list().data]
report("models", model in models and client.models.retrieve(model).id == model, models=models)

# Live events: collect them while the completion below runs.
events = []
stream = urllib.request.urlopen(base + "/api/events", timeout=120)
def follow():
    name = None
    for raw in stream:
        line = raw.decode().rstrip("\n")
        if line.startswith("event: "):
            name = line[len("event: "):]
        elif line.startswith("data: "):
            events.append((name, json.loads(line[len("data: "):])))
            if name == "concluded":
                return
FRAME = {"quorum": 3, "secDistance": 0.3, "secPercentage": 0.66}
follower = threading.Thread(target=follow, daemon=True)
follower.start()

completion = client.chat.completions.create(
    model=model,
    messages=[{"role": "user", "content": "What is the capital of France?"}],
    max_tokens=24,
    temperature=0,
    extra_body={"rakis": FRAME},
)
rakis = completion.model_extra["rakis"]
report("completion", bool(completion.choices[0].message.content) and completion.model == model
       and len(rakis["cluster"]) >= 2 and rakis["certificate"]["outcome"]["status"] == "agreed",
       content=completion.choices[0].message.content, requestId=rakis["requestId"], cluster=len(rakis["cluster"]))

follower.join(timeout=60)
mine = [(name, data) for name, data in events if data.get("requestId") == rakis["requestId"]]
kinds = {data.get("type") for name, data in mine if name == "packet"}
report("events", {"request", "commit", "quorum", "reveal"} <= kinds and any(name == "concluded" for name, _ in mine),
       packets=sorted(k for k in kinds if k), events=len(mine))

usage = completion.usage
report("usage", usage is not None and usage.prompt_tokens > 8 and 0 < usage.completion_tokens <= 24
       and usage.total_tokens == usage.prompt_tokens + usage.completion_tokens,
       usage=usage.model_dump() if usage else None)

# The same request streamed: the role first, the same text, the finish reason, a usage chunk
# with no choices, the rakis object on the last chunk.
chunks = list(client.chat.completions.create(
    model=model, messages=[{"role": "user", "content": "What is the capital of France?"}], max_tokens=24, temperature=0,
    stream=True, stream_options={"include_usage": True}, extra_body={"rakis": FRAME}))
streamed = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
finish = [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason]
last = chunks[-1]
report("streaming", chunks[0].choices[0].delta.role == "assistant" and streamed == completion.choices[0].message.content
       and finish in (["stop"], ["length"]) and last.choices == [] and last.usage is not None
       and last.usage.completion_tokens == usage.completion_tokens and (last.model_extra or {}).get("rakis", {}).get("requestId") is not None,
       chunks=len(chunks), text=streamed, finish=finish)

# stop: the text up to the first stop string, as the unstopped answer at temperature 0 has it.
counting = [{"role": "user", "content": "Count from 1 to 10, separated by commas."}]
whole = client.chat.completions.create(model=model, messages=counting, max_tokens=32, temperature=0, extra_body={"rakis": FRAME})
cut = client.chat.completions.create(model=model, messages=counting, max_tokens=32, temperature=0, stop=[","], extra_body={"rakis": FRAME})
whole_text, cut_text = whole.choices[0].message.content, cut.choices[0].message.content
report("stop", "," in whole_text and cut_text == whole_text.split(",")[0] and cut.choices[0].finish_reason == "stop",
       whole=whole_text, cut=cut_text)

# top_p: honoured by every node, so it is part of the signed request (the request's story shows it).
nucleus = client.chat.completions.create(model=model, messages=[{"role": "user", "content": "Name an animal."}], max_tokens=12,
                                         temperature=1.0, top_p=0.2, seed=3, extra_body={"rakis": FRAME})
story = json.load(urllib.request.urlopen(base + "/api/requests/" + nucleus.model_extra["rakis"]["requestId"], timeout=60))
signed = story["request"]
report("top_p", bool(nucleus.choices[0].message.content) and signed.get("topP") == 0.2 and signed.get("seed") == 3,
       content=nucleus.choices[0].message.content, topP=signed.get("topP"))
try:
    client.chat.completions.create(model=model, messages=counting, top_p=0)
    report("top_p out of range", False, error="accepted")
except openai.BadRequestError as error:
    report("top_p out of range", "topP" in error.message, message=error.message)

# A two-step tool loop: the network agrees on a call, the client runs the tool and sends the
# result back, and the network answers in words.
tools = [{"type": "function", "function": {
    "name": "get_weather", "description": "Get the current weather in a city.",
    "parameters": {"type": "object", "properties": {"city": {"type": "string", "description": "The city's name"}}, "required": ["city"]}}}]
messages = [{"role": "user", "content": "What is the weather in Paris?"}]
first = client.chat.completions.create(model=model, messages=messages, tools=tools, tool_choice="required", max_tokens=48,
                                       temperature=0, extra_body={"rakis": FRAME})
calls = first.choices[0].message.tool_calls or []
arguments = json.loads(calls[0].function.arguments) if calls else {}
report("tool call", first.choices[0].finish_reason == "tool_calls" and len(calls) == 1 and calls[0].function.name == "get_weather"
       and isinstance(arguments.get("city"), str) and first.choices[0].message.content is None,
       call=calls[0].model_dump() if calls else None)
messages.append(first.choices[0].message.model_dump(exclude_none=True))
messages.append({"role": "tool", "tool_call_id": calls[0].id, "content": json.dumps({"city": arguments["city"], "weather": "sunny", "celsius": 21})})
second = client.chat.completions.create(model=model, messages=messages, tools=tools, tool_choice="none", max_tokens=48,
                                        temperature=0, extra_body={"rakis": FRAME})
report("tool loop", bool(second.choices[0].message.content) and not second.choices[0].message.tool_calls,
       answer=second.choices[0].message.content)

# tool_choice auto, the default with tools: the network agrees on a call or on a reply in words,
# and the answer is one of the two, never both.
auto = client.chat.completions.create(model=model, messages=[{"role": "user", "content": "What is the weather in Paris?"}], tools=tools,
                                      max_tokens=48, temperature=0, extra_body={"rakis": FRAME}).choices[0]
report("tool auto", (auto.finish_reason == "tool_calls" and len(auto.message.tool_calls or []) == 1 and auto.message.content is None
                     and auto.message.tool_calls[0].function.name == "get_weather")
       or (auto.finish_reason in ("stop", "length") and bool(auto.message.content) and not auto.message.tool_calls),
       finish=auto.finish_reason, content=auto.message.content, calls=[c.function.name for c in auto.message.tool_calls or []])

# Legacy text completions: whole, streamed (the same text), and echoed.
text = client.completions.create(model=model, prompt="The capital of France is", max_tokens=8, temperature=0, extra_body={"rakis": FRAME})
pieces = list(client.completions.create(model=model, prompt="The capital of France is", max_tokens=8, temperature=0, stream=True,
                                        stream_options={"include_usage": True}, extra_body={"rakis": FRAME}))
echoed = client.completions.create(model=model, prompt="The capital of France is", max_tokens=8, temperature=0, echo=True, extra_body={"rakis": FRAME})
report("completions", bool(text.choices[0].text) and "".join(p.choices[0].text for p in pieces if p.choices) == text.choices[0].text
       and pieces[-1].usage is not None and text.usage.completion_tokens > 0
       and echoed.choices[0].text == "The capital of France is" + text.choices[0].text,
       text=text.choices[0].text, chunks=len(pieces))

# Embeddings: the client's default (base64, decoded by the client) equals explicit floats; unit
# length; a Matryoshka prefix; meaning.
sentences = ["A cat sits on the mat.", "A kitten rests on a rug.", "Stock markets fell sharply today."]
default = client.embeddings.create(model=embedding_model, input=sentences)
floats = client.embeddings.create(model=embedding_model, input=sentences, encoding_format="float")
short = client.embeddings.create(model=embedding_model, input=sentences[0], dimensions=64)
vectors = [d.embedding for d in floats.data]
def dot(a, b): return sum(x * y for x, y in zip(a, b))
report("embeddings", [d.embedding for d in default.data] == vectors and len(vectors) == 3 and len(vectors[0]) == 384
       and all(abs(dot(v, v) - 1) < 1e-5 for v in vectors) and len(short.data[0].embedding) == 64
       and abs(dot(short.data[0].embedding, short.data[0].embedding) - 1) < 1e-5
       and dot(vectors[0], vectors[1]) > dot(vectors[0], vectors[2]) and floats.usage.prompt_tokens > 0,
       similar=round(dot(vectors[0], vectors[1]), 4), unrelated=round(dot(vectors[0], vectors[2]), 4))

# Every standard parameter of the chat API: those with no effect here are accepted.
everything = client.chat.completions.create(
    model=model, messages=[{"role": "developer", "content": "Answer briefly."}, {"role": "user", "content": "Say hi."}],
    temperature=0.5, top_p=0.9, seed=11, max_completion_tokens=12, stop=["\n\n"], n=1, response_format={"type": "text"},
    frequency_penalty=0, presence_penalty=0, logit_bias={}, logprobs=False, modalities=["text"], user="tester",
    metadata={"purpose": "test"}, store=False, service_tier="auto", prompt_cache_key="k", safety_identifier="s",
    reasoning_effort="low", verbosity="low", prediction={"type": "content", "content": "hi"}, stream=False,
    extra_body={"rakis": FRAME})
report("every parameter", bool(everything.choices[0].message.content), content=everything.choices[0].message.content)

refused = [("n", {"n": 2}), ("logit_bias", {"logit_bias": {"42": 5}}), ("logprobs", {"logprobs": True}),
           ("top_logprobs", {"top_logprobs": 2, "logprobs": False}), ("frequency_penalty", {"frequency_penalty": 0.5}),
           ("presence_penalty", {"presence_penalty": 0.5}), ("audio", {"audio": {"voice": "alloy", "format": "wav"}}),
           ("modalities", {"modalities": ["text", "audio"]}), ("functions", {"functions": [{"name": "f", "parameters": {}}]}),
           ("web_search_options", {"web_search_options": {}})]
for name, arguments, expected in [
    ("unknown model", {"model": "no-such-model", "messages": [{"role": "user", "content": "hi"}]}, "not served"),
    ("bad role", {"model": model, "messages": [{"role": "robot", "content": "hi"}]}, "robot"),
    ("quorum out of range", {"model": model, "messages": [{"role": "user", "content": "hi"}], "extra_body": {"rakis": {"quorum": 99}}}, "quorum"),
] + [(f"refused {param}", {"model": model, "messages": [{"role": "user", "content": "hi"}], **args}, param) for param, args in refused]:
    try:
        client.chat.completions.create(**arguments)
        report(name, False, error="accepted")
    except openai.BadRequestError as error:
        param = getattr(error, "param", None)
        report(name, expected in error.message and (not name.startswith("refused") or param == expected),
               status=error.status_code, param=param, message=error.message)

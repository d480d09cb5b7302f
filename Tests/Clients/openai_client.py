"""Drives a Rakis node's OpenAI-compatible API with the official openai package, and follows
one request's live events over server-sent events. Prints one JSON line per check; exits 1 on
the first failed check. Usage: openai_client.py http://HOST:PORT MODEL"""
import json
import sys
import threading
import urllib.request

import openai

base, model = sys.argv[1], sys.argv[2]
client = openai.OpenAI(base_url=base + "/v1", api_key="not-needed", max_retries=0, timeout=120)


def report(check, ok, **details):
    print(json.dumps({"check": check, "ok": ok, **details}), flush=True)
    if not ok:
        sys.exit(1)


models = [m.id for m in client.models.list().data]
report("models", model in models, models=models)

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
follower = threading.Thread(target=follow, daemon=True)
follower.start()

completion = client.chat.completions.create(
    model=model,
    messages=[{"role": "user", "content": "What is the capital of France?"}],
    max_tokens=24,
    extra_body={"rakis": {"quorum": 3, "secDistance": 0.3, "secPercentage": 0.66}},
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

for name, arguments, expected in [
    ("unknown model", {"model": "no-such-model", "messages": [{"role": "user", "content": "hi"}]}, "not served"),
    ("bad role", {"model": model, "messages": [{"role": "robot", "content": "hi"}]}, "robot"),
    ("quorum out of range", {"model": model, "messages": [{"role": "user", "content": "hi"}], "extra_body": {"rakis": {"quorum": 99}}}, "quorum"),
    ("streaming", {"model": model, "messages": [{"role": "user", "content": "hi"}], "stream": True}, "streaming is not supported"),
]:
    try:
        client.chat.completions.create(**arguments)
        report(name, False, error="accepted")
    except openai.BadRequestError as error:
        report(name, expected in error.message, status=error.status_code, message=error.message)

"""The official openai package against a Rakis node whose API needs keys: a valid key lists the
models, a wrong key and a revoked key raise AuthenticationError (401), a key over its rate
raises RateLimitError (429) with the server's Retry-After. Prints one JSON line per check;
exits 1 on the first failed check.
Usage: openai_keys.py http://HOST:PORT KEY REVOKED_KEY SLOW_KEY"""
import json
import sys

import openai

base, key, revoked, slow = sys.argv[1:5]


def report(check, ok, **details):
    print(json.dumps({"check": check, "ok": ok, **details}), flush=True)
    if not ok:
        sys.exit(1)


def client(api_key):
    return openai.OpenAI(base_url=base + "/v1", api_key=api_key, max_retries=0, timeout=30)


models = [m.id for m in client(key).models.list().data]
report("valid key", True, models=models)

for check, api_key, reason in [("wrong key", key[:-1] + ("1" if key.endswith("0") else "0"), "invalid API key"),
                               ("revoked key", revoked, "was revoked")]:
    try:
        client(api_key).models.list()
        report(check, False, error="no error")
    except openai.AuthenticationError as error:
        report(check, error.status_code == 401 and reason in str(error), status=error.status_code, message=str(error))

slow_client = client(slow)
try:
    for _ in range(10):
        slow_client.models.list()
    report("over its rate", False, error="no 429 in 10 calls")
except openai.RateLimitError as error:
    retry_after = error.response.headers.get("retry-after")
    report("over its rate", error.status_code == 429 and retry_after is not None and int(retry_after) >= 1,
           status=error.status_code, retryAfter=retry_after)

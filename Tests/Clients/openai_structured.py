"""Asks a Rakis network for structured answers through the official openai package: a JSON
schema with `response_format` (as `client.chat.completions.create` sends it, and as
`client.chat.completions.parse` sends a Pydantic model), and OpenAI's json_object mode.
Each answer must be canonical JSON that matches its schema, agreed by a quorum that accepts
both model families. Prints one JSON line per check (the last one the tally); exits 1 on the
first failed check. Usage: openai_structured.py http://HOST:PORT SCHEMAS.json MODEL [MODEL...]"""
import json
import sys

import openai
import pydantic

base, schemas_path, models = sys.argv[1], sys.argv[2], sys.argv[3:]
client = openai.OpenAI(base_url=base + "/v1", api_key="not-needed", max_retries=0, timeout=180)
frame = {"quorum": 4, "secDistance": 0.35, "secPercentage": 0.5, "models": models[1:]}


def report(check, ok, **details):
    print(json.dumps({"check": check, "ok": ok, **details}), flush=True)
    if not ok:
        sys.exit(1)


def canonical(value):
    """RFC 8785 for the values these schemas allow (no floats beyond what repr writes)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def violation(schema, value, path="$"):
    """The first place `value` breaks `schema` (the subset Rakis accepts), or None."""
    kind = schema.get("type")
    if "enum" in schema:
        return None if value in schema["enum"] else f"{path}: {value!r} not in enum"
    if kind == "object":
        if not isinstance(value, dict):
            return f"{path}: not an object"
        properties = schema.get("properties")
        if properties is None:
            return None
        for key in value:
            if key not in properties:
                return f"{path}: unknown key {key}"
        for key in schema.get("required", []):
            if key not in value:
                return f"{path}: missing {key}"
        for key, item in value.items():
            problem = violation(properties[key], item, f"{path}.{key}")
            if problem:
                return problem
        return None
    if kind == "array":
        if not isinstance(value, list) or not schema.get("minItems", 0) <= len(value) <= schema.get("maxItems", 16):
            return f"{path}: bad array"
        for index, item in enumerate(value):
            problem = violation(schema["items"], item, f"{path}[{index}]")
            if problem:
                return problem
        return None
    if kind == "string":
        ok = isinstance(value, str) and schema.get("minLength", 0) <= len(value) <= schema.get("maxLength", 1 << 30)
        return None if ok else f"{path}: bad string"
    if kind == "boolean":
        return None if isinstance(value, bool) else f"{path}: not a boolean"
    if kind in ("integer", "number"):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or (kind == "integer" and value != int(value)):
            return f"{path}: not a {kind}"
        if value < schema.get("minimum", float("-inf")) or value > schema.get("maximum", float("inf")):
            return f"{path}: {value} out of bounds"
        return None
    return f"{path}: unexpected schema {schema}"


def ask(name, messages, response_format, schema):
    completion = client.chat.completions.create(
        model=models[0], messages=messages, max_tokens=96, temperature=0,
        response_format=response_format, extra_body={"rakis": frame})
    content = completion.choices[0].message.content
    value = json.loads(content)
    rakis = completion.model_extra["rakis"]
    report(name, canonical(value) == content and violation(schema, value) is None
           and rakis["certificate"]["outcome"]["status"] == "agreed",
           content=content, requestId=rakis["requestId"], cluster=len(rakis["cluster"]), model=completion.model)
    return rakis


cases = [case for case in json.load(open(schemas_path)) if case["kind"] != "shape"][:6]
first = None
for case in cases:
    rakis = ask(case["name"], [{"role": "user", "content": case["prompt"]}],
                {"type": "json_schema", "json_schema": {"name": case["name"], "schema": case["schema"], "strict": True}},
                case["schema"])
    first = first or rakis


class Verdict(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="forbid")
    answer: bool


# What `client.chat.completions.parse(response_format=Verdict)` sends: the Pydantic schema
# made strict (titles included), which Rakis accepts as annotations.
strict = openai.lib._pydantic.to_strict_json_schema(Verdict)
ask("pydantic", [{"role": "user", "content": "Is the sky blue on a clear day?"}],
    {"type": "json_schema", "json_schema": {"name": "Verdict", "schema": strict, "strict": True}}, strict)
parsed = client.chat.completions.parse(
    model=models[0], messages=[{"role": "user", "content": "Is fire cold?"}], max_tokens=32,
    response_format=Verdict, extra_body={"rakis": frame})
report("parse", isinstance(parsed.choices[0].message.parsed, Verdict), content=parsed.choices[0].message.content)

ask("json_object", [{"role": "user", "content": "Describe a cat in a JSON object."}], {"type": "json_object"}, {"type": "object"})

try:
    client.chat.completions.create(
        model=models[0], messages=[{"role": "user", "content": "hi"}],
        response_format={"type": "json_schema", "json_schema": {"name": "x", "schema": {"type": "string", "pattern": "^a"}}})
    report("unsupported keyword refused", False)
except openai.BadRequestError as error:
    report("unsupported keyword refused", 'unsupported keyword "pattern"' in str(error), message=str(error))

print(json.dumps({"check": "first request", "ok": True, "requestId": first["requestId"]}), flush=True)

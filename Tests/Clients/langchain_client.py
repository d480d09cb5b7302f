"""Drives a Rakis node's OpenAI-compatible API with LangChain's ChatOpenAI (PyPI langchain-openai):
a streamed answer, then a tool call, the tool run and its result sent back for the answer in
words. Prints one JSON line per check; exits 1 on the first failed check.
Usage: langchain_client.py http://HOST:PORT MODEL"""
import json
import sys

from langchain_core.messages import HumanMessage, ToolMessage
from langchain_core.tools import tool
from langchain_openai import ChatOpenAI

base, model = sys.argv[1], sys.argv[2]


def report(check, ok, **details):
    print(json.dumps({"check": check, "ok": ok, **details}), flush=True)
    if not ok:
        sys.exit(1)


llm = ChatOpenAI(base_url=base + "/v1", api_key="not-needed", model=model, temperature=0, max_tokens=64,
                 max_retries=0, timeout=120, stream_usage=True,
                 extra_body={"rakis": {"quorum": 3, "secDistance": 0.3, "secPercentage": 0.66}})

chunks = list(llm.stream("What is the capital of France?"))
text = "".join(chunk.content for chunk in chunks)
merged = chunks[0]
for chunk in chunks[1:]:
    merged = merged + chunk
usage = merged.usage_metadata or {}
report("stream", bool(text) and len(chunks) > 2 and usage.get("output_tokens", 0) > 0 and usage.get("input_tokens", 0) > 0,
       text=text, chunks=len(chunks), usage=usage)


@tool
def get_weather(city: str) -> str:
    """Get the current weather in a city."""
    return json.dumps({"city": city, "weather": "sunny", "celsius": 21})


question = HumanMessage("What is the weather in Paris?")
called = llm.bind_tools([get_weather], tool_choice="get_weather").invoke([question])
calls = called.tool_calls
report("tool call", len(calls) == 1 and calls[0]["name"] == "get_weather" and isinstance(calls[0]["args"].get("city"), str),
       calls=calls)

result = ToolMessage(content=get_weather.invoke(calls[0]["args"]), tool_call_id=calls[0]["id"])
answer = llm.bind_tools([get_weather], tool_choice="none").invoke([question, called, result])
report("tool loop", isinstance(answer.content, str) and bool(answer.content) and not answer.tool_calls, answer=answer.content)

# bind_tools without tool_choice: OpenAI's auto, a call or a reply.
auto = llm.bind_tools([get_weather]).invoke([question])
report("tool auto", (len(auto.tool_calls) == 1 and auto.tool_calls[0]["name"] == "get_weather") or (bool(auto.content) and not auto.tool_calls),
       calls=auto.tool_calls, content=auto.content)

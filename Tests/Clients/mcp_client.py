"""An MCP client session with `rakis mcp` over stdio, through the Python `mcp` package: lists
the tools, reads the network's status, asks the network (with progress notifications), verifies
the certificate the answer came with, and checks that a tampered certificate and bad arguments
are refused. Prints one JSON line per check; exits 1 on the first failed check.
Usage: mcp_client.py RAKIS_BIN NODE_URL [RAKIS MCP FLAGS...]   (the API key in $RAKIS_API_KEY)"""
import asyncio
import copy
import json
import os
import sys

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

rakis, node, flags = sys.argv[1], sys.argv[2], sys.argv[3:]


def report(check, ok, **details):
    print(json.dumps({"check": check, "ok": ok, **details}), flush=True)
    if not ok:
        sys.exit(1)


def text_of(result):
    return "\n".join(block.text for block in result.content if getattr(block, "type", "") == "text")


def tamper(value):
    """The certificate with the first revealed output it holds changed; True once changed."""
    if isinstance(value, dict):
        for key, member in value.items():
            if key == "output" and isinstance(member, str):
                value[key] = member + " (changed)"
                return True
            if tamper(member):
                return True
    elif isinstance(value, list):
        return any(tamper(member) for member in value)
    return False


async def main():
    server = StdioServerParameters(command=rakis, args=["mcp", "--node", node, *flags], env=dict(os.environ))
    async with stdio_client(server) as (read, write):
        async with ClientSession(read, write) as session:
            init = await session.initialize()
            report("initialized", init.server_info.name == "rakis", server=init.server_info.name,
                   version=init.server_info.version, protocol=init.protocol_version)

            tools = {tool.name: tool for tool in (await session.list_tools()).tools}
            report("tools listed", sorted(tools) == ["ask", "network_status", "verify_certificate"], tools=sorted(tools))
            report("ask's schema", tools["ask"].input_schema.get("required") == ["prompt"]
                   and "quorum" in tools["ask"].input_schema["properties"], properties=sorted(tools["ask"].input_schema["properties"]))

            status = await session.call_tool("network_status", {})
            report("network status", not status.is_error and "node" in (status.structured_content or {}),
                   keys=sorted(status.structured_content or {}))

            progress = []

            async def on_progress(value, total, message):
                progress.append((value, message))

            asked = await session.call_tool("ask", {"prompt": "Name one primary colour.", "quorum": 3, "maxTokens": 12,
                                                    "models": ["smollm2-135m-instruct"]},
                                            read_timeout_seconds=300, progress_callback=on_progress)
            answer = asked.structured_content or {}
            report("asked the network", not asked.is_error and answer.get("status") == "final" and answer.get("verified") is True
                   and len(answer.get("cluster", [])) >= 2, text=text_of(asked)[:300], requestId=answer.get("requestId"),
                   cluster=len(answer.get("cluster", [])))
            values = [value for value, _ in progress]
            report("progress reported", len(progress) >= 1 and values == sorted(values) and progress[-1][1] == "concluded", steps=len(progress),
                   last=progress[-1][1] if progress else None)

            verified = await session.call_tool("verify_certificate", {"certificate": answer["certificate"]})
            report("certificate verified", not verified.is_error and (verified.structured_content or {}).get("output") == answer["output"]
                   and (verified.structured_content or {}).get("requestId") == answer["requestId"], text=text_of(verified)[:300])
            as_text = await session.call_tool("verify_certificate", {"certificate": json.dumps(answer["certificate"])})
            report("certificate verified from its text", not as_text.is_error)

            forged = copy.deepcopy(answer["certificate"])
            report("tampered", tamper(forged))
            refused = await session.call_tool("verify_certificate", {"certificate": forged})
            report("tampered certificate refused", refused.is_error is True and "does not verify" in text_of(refused),
                   text=text_of(refused)[:300])

            wrong = await session.call_tool("ask", {"prompt": "hi", "quorum": "three"})
            report("bad argument refused", wrong.is_error is True and "quorum" in text_of(wrong), text=text_of(wrong)[:200])
            unknown = await session.call_tool("ask", {"prompt": "hi", "temprature": 0.5})
            report("unknown argument refused", unknown.is_error is True and "temprature" in text_of(unknown), text=text_of(unknown)[:200])


asyncio.run(main())

"""Shared by the benchmark scripts."""


def peak_resident_bytes():
    """VmHWM of this process: the largest resident set it has had."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmHWM in /proc/self/status")

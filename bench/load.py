"""Load run of the HTTP API on loopback: `python bench/load.py [--requests N] [--clients C]`.

Starts `aanpakwijzer serve` on 127.0.0.1 (a free port), waits until it answers
/healthz (the time to ready is reported), measures in-process warm consultations/s
on the same situations, then lets C keep-alive clients POST /v1/consult until N
requests are done (or --max-seconds pass), sampling the server's memory (RSS of all
its processes) every second. Reports requests/s, p50/p99 latency, errors, memory at
start/end of the run and the ratio to in-process speed, then stops the server
(SIGTERM: graceful shutdown). It stops by itself; only loopback traffic.

The server's and the client's CPU time per request are reported too: unlike the
rates they hardly depend on what else the machine is doing.

Goal on a 2-core machine: 16 clients, >= 150 requests/s, p99 <= 150 ms, 0 errors,
memory flat over 50,000 requests.
"""
from __future__ import annotations

import argparse
import asyncio
import glob
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def situations() -> list[dict]:
    """Every scenario's and example's situation: a realistic mix of groups and sizes."""
    out = []
    paths = sorted(glob.glob(str(ROOT / "facts/scenarios/*.yaml")))
    paths += sorted(glob.glob(str(ROOT / "facts/examples/*.yaml")))
    for path in paths:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        out.append(data["situation"] if "expect" in data else data)
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tree(pid: int) -> list[int]:
    """A process and its descendants (uvicorn's workers)."""
    out, todo = [], [pid]
    while todo:
        current = todo.pop()
        out.append(current)
        try:
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return out


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children, in MB."""
    total = 0
    for current in tree(pid):
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS")))
        except (OSError, StopIteration):
            continue
    return total / 1024


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its children so far."""
    total = 0
    for current in tree(pid):
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            continue
    return total / os.sysconf("SC_CLK_TCK")


def in_process_rate(items: list[dict], seconds: float) -> float:
    sys.path.insert(0, str(ROOT))
    from expert.engine import Advisor

    advisor = Advisor(freeze_heap=True)
    for situation in items:
        advisor.consult(situation)
    done, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        advisor.consult(items[done % len(items)])
        done += 1
    return done / (time.perf_counter() - start)


async def client(port: int, bodies: list[bytes], state: dict, latencies: list[float], delay: float) -> None:
    # Clients arrive one after another (as portal servers do), not all in the same
    # millisecond: then the worker processes share the connections between them.
    await asyncio.sleep(delay)
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    mine: list[float] = []
    state["per_client"].append(mine)
    try:
        while state["next"] < state["total"] and time.perf_counter() < state["deadline"]:
            body = bodies[state["next"] % len(bodies)]
            state["next"] += 1
            request = (b"POST /v1/consult HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                       b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
            start = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            length = next(int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                          if line.lower().startswith(b"content-length:"))
            await reader.readexactly(length)
            latencies.append(time.perf_counter() - start)
            mine.append(latencies[-1])
            if status != 200:
                state["errors"] += 1
    except (OSError, asyncio.IncompleteReadError, StopIteration, ValueError):
        state["errors"] += 1
    finally:
        writer.close()


async def load(port: int, bodies: list[bytes], clients: int, total: int, max_seconds: float,
               samples: list[float], pid: int) -> tuple[list[float], dict, float]:
    state = {"next": 0, "total": total, "errors": 0, "deadline": time.perf_counter() + max_seconds,
             "per_client": []}
    latencies: list[float] = []

    async def sample() -> None:
        while True:
            samples.append(rss_mb(pid))
            await asyncio.sleep(1)

    sampler = asyncio.create_task(sample())
    start, cpu, own = time.perf_counter(), cpu_seconds(pid), time.process_time()
    await asyncio.gather(*(client(port, bodies, state, latencies, 0.02 * n) for n in range(clients)))
    elapsed = time.perf_counter() - start
    state["server_cpu"], state["client_cpu"] = cpu_seconds(pid) - cpu, time.process_time() - own
    sampler.cancel()
    samples.append(rss_mb(pid))
    return latencies, state, elapsed


def percentile(ordered: list[float], share: float) -> float | None:
    """A latency percentile in ms from sorted seconds."""
    if not ordered:
        return None
    return round(1000 * ordered[min(len(ordered) - 1, int(len(ordered) * share))], 1)


def quarters(samples: list[float]) -> list[list[float]]:
    size = max(1, len(samples) // 4)
    return [samples[i * size:(i + 1) * size] or samples[-1:] for i in range(4)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=50_000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--pool-size", type=int, default=1)
    parser.add_argument("--max-seconds", type=float, default=900)
    parser.add_argument("--json", action="store_true", help="Print the figures as JSON.")
    args = parser.parse_args()

    items = situations()
    bodies = [json.dumps(s).encode() for s in items]
    local = in_process_rate(items, 3.0)

    port = free_port()
    exe = Path(sys.executable).with_name("aanpakwijzer")
    command = [str(exe) if exe.exists() else "aanpakwijzer", "serve", "--port", str(port),
               "--workers", str(args.workers), "--pool-size", str(args.pool_size)]
    started = time.perf_counter()
    server = subprocess.Popen(command, cwd=ROOT)
    try:
        ready = None
        while time.perf_counter() - started < 30 and server.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as response:
                    if response.status == 200:
                        ready = time.perf_counter() - started
                        break
            except OSError:
                time.sleep(0.05)
        if ready is None:
            print("the server did not become ready", file=sys.stderr)
            return 1
        time.sleep(0.5 * args.workers)        # every worker warm, not only the first to answer
        samples: list[float] = []
        latencies, state, elapsed = asyncio.run(
            load(port, bodies, args.clients, args.requests, args.max_seconds, samples, server.pid))
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()
    latencies.sort()
    done = len(latencies)
    means = [statistics.fmean(c) for c in state["per_client"] if c] or [0.0]
    tenth = max(1, len(samples) // 10)
    figures = {
        "requests": done, "clients": args.clients, "workers": args.workers, "pool_size": args.pool_size,
        "seconds": round(elapsed, 1), "requests_per_s": round(done / elapsed, 1),
        "p50_ms": percentile(latencies, 0.50),
        "p90_ms": percentile(latencies, 0.90), "p95_ms": percentile(latencies, 0.95),
        "p99_ms": percentile(latencies, 0.99), "max_ms": percentile(latencies, 1.0),
        "errors": state["errors"], "ready_s": round(ready, 2),
        # fairness between connections: mean latency of the fastest and the slowest client
        "client_mean_ms_min_max": [round(1000 * min(means), 1), round(1000 * max(means), 1)],
        "memory_mb_first_tenth": round(statistics.median(samples[:tenth]), 1),
        "memory_mb_by_quarter": [round(statistics.median(q), 1) for q in quarters(samples)],
        "memory_mb_last_tenth": round(statistics.median(samples[-tenth:]), 1),
        "memory_mb_max": round(max(samples), 1),
        "server_cpu_ms_per_request": round(1000 * state["server_cpu"] / max(done, 1), 2),
        "client_cpu_ms_per_request": round(1000 * state["client_cpu"] / max(done, 1), 2),
        "load_average_after": round(os.getloadavg()[0], 1),
        "in_process_ms_per_consult": round(1000 / local, 2),
        "in_process_consults_per_s": round(local, 1),
        "ratio_http_to_in_process": round(done / elapsed / local, 2),
        "shutdown_exit_code": server.returncode,
    }
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        for key, value in figures.items():
            print(f"{key:28s} {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""API benchmark: GET /api/quotes/{id}/calculate on a 200-item quote, against a hello-world Litestar app.

    uv run python bench/api.py [--requests 2000] [--seconds 10] [--connections 16] [--items 200]
                               [--client raw|httpx] [--json]

On a real PostgreSQL (embedded, in a temp folder, unless DATABASE_URL is set), migrated and holding the
real eu-west-2 catalog, it serves our app and bench/hello_app.py the same way: uvicorn in a process of
its own, one worker, no access log, httptools and uvloop when installed, log level warning. It signs in
as a local user it adds, builds one quote of --items items through the HTTP API (VMs of several shapes
with licences, gp2/io1/standard volumes, hourly and PER_MONTH catalog entries, in 4 groups, with a
commitment and a global discount), then measures, in one run:
  (a) latency at one keep-alive connection: a warm-up, then --requests sequential requests: p50, p90,
      p99 and max, for our endpoint and for GET /hello, with the server's CPU time per request;
  (b) throughput at --connections keep-alive connections (one session each, as for that many users) for
      --seconds, on both endpoints: requests/s each and ours/hello, the share of the framework's ceiling
      on this box we keep, with the share of a core the server and the client each used (near 100 %:
      that process is the bottleneck).
Every answer must be a 200 carrying the same calculation as the first one, byte for byte (else exit 1).

The default client is a minimal asyncio HTTP/1.1 client (one fixed GET, Content-Length answers): httpx
spends several times the hello app's CPU per request (on a 2-core box, hello at 16 connections: ~600
requests/s with the httpx client at 90 % of a core, ~3,000 with this one at 25 %), so with --client
httpx the "ceiling" is httpx's own and the ratio is flattered about fivefold.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this folder heads sys.path, and this file's name would hide the `api` package it measures.
BENCH_DIR = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != BENCH_DIR]

import argparse  # noqa: E402
import asyncio  # noqa: E402
import importlib.util  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import os  # noqa: E402
import secrets  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Awaitable, Callable, Coroutine, Iterator  # noqa: E402
from contextlib import contextmanager  # noqa: E402
from dataclasses import asdict, dataclass  # noqa: E402
from datetime import UTC, datetime  # noqa: E402
from typing import Any, Protocol  # noqa: E402

import httpx  # noqa: E402
import psutil  # type: ignore[import-untyped]  # noqa: E402
import psycopg  # noqa: E402

from finops.db.catalog_prices import record_catalog  # noqa: E402
from finops.db.connect import connect  # noqa: E402
from finops.db.migrations import migrate  # noqa: E402
from finops.db.users import add_local_user, remove_local_user  # noqa: E402
from finops.domain.outscale_catalog import parse_catalog  # noqa: E402
from finops.passwords import hash_password  # noqa: E402

HOST = "127.0.0.1"
REGION = "eu-west-2"
CATALOG = BENCH_DIR.parents[1] / "shared" / "reference" / "outscale" / "samples" / "readpubliccatalog_eu-west-2.json"
COOKIE = "finops_session"
GROUPS = ("Front", "Back", "Data", "Network")
FCU = {"service": "TinaOS-FCU"}
# One cycle of the mix: 8 VM shapes, 6 volumes, 4 hourly and 3 PER_MONTH catalog entries.
ITEM_MIX: list[dict[str, Any]] = [
    {"kind": "vm", "generation": 6, "performance": "high", "vcores": 4, "ram_gib": 16, "licences": ["0001"]},
    {"kind": "vm", "generation": 6, "performance": "high", "vcores": 8, "ram_gib": 32, "licences": ["0002"]},
    {"kind": "vm", "generation": 5, "performance": "highest", "vcores": 2, "ram_gib": 4, "licences": ["0006"]},
    {"kind": "vm", "generation": 7, "performance": "medium", "vcores": 16, "ram_gib": 64,
     "licences": ["0002", "0008"]},
    {"kind": "vm", "generation": 6, "performance": "medium", "vcores": 2, "ram_gib": 8},
    {"kind": "vm", "generation": 7, "performance": "high", "vcores": 4, "ram_gib": 8, "licences": ["0001"]},
    {"kind": "vm", "generation": 5, "performance": "high", "vcores": 32, "ram_gib": 128, "licences": ["0006"]},
    {"kind": "vm", "generation": 4, "performance": "highest", "vcores": 8, "ram_gib": 16,
     "licences": ["0002", "0009"]},
    {"kind": "volume", "volume_type": "gp2", "size_gib": 50},
    {"kind": "volume", "volume_type": "gp2", "size_gib": 200},
    {"kind": "volume", "volume_type": "io1", "size_gib": 100, "iops": 2000},
    {"kind": "volume", "volume_type": "io1", "size_gib": 500, "iops": 5000},
    {"kind": "volume", "volume_type": "standard", "size_gib": 1000},
    {"kind": "volume", "volume_type": "gp2", "size_gib": 20},
    {"kind": "catalog", "service": "TinaOS-LBU", "type": "LBU:Usage", "operation": "CreateLoadBalancer"},
    {"kind": "catalog", **FCU, "type": "ElasticIP:AdditionalAddress", "operation": "AssociateAddressVPC"},
    {"kind": "catalog", **FCU, "type": "NatGatewayUsage", "operation": "CreateNatGateway"},
    {"kind": "catalog", **FCU, "type": "ConnectionUsage", "operation": "CreateVpnConnection"},
    {"kind": "catalog", "service": "TinaOS-OOS", "type": "enterprise", "operation": "OOSStorage", "quantity": 2000},
    {"kind": "catalog", **FCU, "type": "Snapshot:Usage", "operation": "Snapshot", "quantity": 500},
    {"kind": "catalog", "service": "TinaOS-DirectLink", "type": "LocatePort:1G", "operation": "CreateConnection"},
]  # fmt: skip


class Connection(Protocol):
    async def get(self) -> tuple[int, bytes]: ...

    async def close(self) -> None: ...


class RawConnection:
    """One keep-alive HTTP/1.1 connection sending one fixed GET; answers must carry a Content-Length."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes) -> None:
        self._reader, self._writer, self._request = reader, writer, request

    @classmethod
    async def open(cls, port: int, path: str, session: str | None) -> RawConnection:
        reader, writer = await asyncio.open_connection(HOST, port)
        cookie = f"Cookie: {COOKIE}={session}\r\n" if session else ""
        request = f"GET {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\nAccept: application/json\r\n{cookie}\r\n"
        return cls(reader, writer, request.encode())

    async def get(self) -> tuple[int, bytes]:
        self._writer.write(self._request)
        head = await self._reader.readuntil(b"\r\n\r\n")
        start = head.lower().find(b"\r\ncontent-length:")
        if start < 0:
            raise RuntimeError(f"an answer without Content-Length: {head[:200]!r}")
        length = int(head[start + 17 : head.find(b"\r\n", start + 2)])
        return int(head[9:12]), await self._reader.readexactly(length)

    async def close(self) -> None:
        self._writer.close()
        await self._writer.wait_closed()


class HttpxConnection:
    """The same GET through an httpx client limited to one keep-alive connection."""

    def __init__(self, client: httpx.AsyncClient, path: str) -> None:
        self._client, self._path = client, path

    @classmethod
    async def open(cls, port: int, path: str, session: str | None) -> HttpxConnection:
        client = httpx.AsyncClient(
            base_url=f"http://{HOST}:{port}",
            headers={"Accept": "application/json", **({"Cookie": f"{COOKIE}={session}"} if session else {})},
            limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
        )
        return cls(client, path)

    async def get(self) -> tuple[int, bytes]:
        response = await self._client.get(self._path)
        return response.status_code, response.content

    async def close(self) -> None:
        await self._client.aclose()


CLIENTS: dict[str, Callable[[int, str, str | None], Awaitable[Connection]]] = {
    "raw": RawConnection.open,
    "httpx": HttpxConnection.open,
}


class Answers:
    """Checks that every answer is a 200 with the reference body (for a calculation: all but its metadata,
    which holds the catalog's age in seconds)."""

    def __init__(self, reference: bytes, calculation: bool) -> None:
        self._calculation = calculation
        self._expected = self._stable(reference)
        self.count = 0
        self.mismatches = 0
        self.bad: list[str] = []  # the first few

    def _stable(self, body: bytes) -> bytes:
        return body[: body.rfind(b',"metadata":')] if self._calculation else body

    def check(self, status: int, body: bytes) -> None:
        self.count += 1
        if status != 200 or self._stable(body) != self._expected:
            self.mismatches += 1
            if len(self.bad) < 5:
                self.bad.append(f"{status}: {body[:200]!r}")


@dataclass(frozen=True)
class Server:
    port: int
    process: psutil.Process

    def cpu_seconds(self) -> float:
        times = self.process.cpu_times()
        return float(times.user + times.system)


@dataclass(frozen=True)
class Latency:
    requests: int
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    server_cpu_ms: float  # per request: far below p50, the server mostly waits (on PostgreSQL)


@dataclass(frozen=True)
class Throughput:
    requests_per_second: float
    server_cpu: float  # the share of one core each process used: near 100 %, that process is the bottleneck
    client_cpu: float


@dataclass(frozen=True)
class Results:
    client: str
    server: str
    items: int
    total: str
    currency: str
    body_bytes: int
    latency_ours: Latency
    latency_uncached: Latency
    latency_hello: Latency
    connections: int
    seconds: float
    throughput_ours: Throughput
    throughput_uncached: Throughput
    throughput_hello: Throughput
    answers: int
    mismatches: int
    bad_answers: list[str]

    @property
    def ratio(self) -> float:
        return self.throughput_ours.requests_per_second / self.throughput_hello.requests_per_second

    @property
    def ratio_uncached(self) -> float:
        return self.throughput_uncached.requests_per_second / self.throughput_hello.requests_per_second


def percentile(ordered: list[float], fraction: float) -> float:
    """Nearest rank: the smallest value with at least ``fraction`` of the values at or below it."""
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


async def measure_latency(
    connection: Connection, server: Server, warmup: int, requests: int, answers: Answers
) -> Latency:
    for _ in range(warmup):
        answers.check(*await connection.get())
    durations = []
    cpu_started = server.cpu_seconds()
    for _ in range(requests):
        started = time.perf_counter()
        status, body = await connection.get()
        durations.append(time.perf_counter() - started)
        answers.check(status, body)
    server_cpu_ms = (server.cpu_seconds() - cpu_started) * 1000 / requests
    ordered = sorted(duration * 1000 for duration in durations)
    return Latency(
        requests,
        percentile(ordered, 0.5),
        percentile(ordered, 0.9),
        percentile(ordered, 0.99),
        ordered[-1],
        server_cpu_ms,
    )


async def measure_throughput(
    connections: list[Connection], server: Server, seconds: float, answers: Answers
) -> Throughput:
    async def warm(connection: Connection) -> None:
        for _ in range(10):
            answers.check(*await connection.get())

    async def busy(connection: Connection, deadline: float) -> int:
        done = 0
        while time.perf_counter() < deadline:
            answers.check(*await connection.get())
            done += 1
        return done

    await asyncio.gather(*(warm(connection) for connection in connections))
    started, client_started, server_started = time.perf_counter(), time.process_time(), server.cpu_seconds()
    counts = await asyncio.gather(*(busy(connection, started + seconds) for connection in connections))
    elapsed = time.perf_counter() - started
    return Throughput(
        sum(counts) / elapsed,
        (server.cpu_seconds() - server_started) / elapsed,
        (time.process_time() - client_started) / elapsed,
    )


async def sign_in(base_url: str, username: str, password: str) -> tuple[str, str]:
    """(session cookie, CSRF token) of a fresh session."""
    async with httpx.AsyncClient(base_url=base_url) as client:
        response = await client.post("/api/auth/login/local", json={"username": username, "password": password})
    if response.status_code != 200:
        raise RuntimeError(f"sign-in refused: {response.status_code} {response.text}")
    return response.cookies[COOKIE], response.json()["data"]["csrf_token"]


def item_body(number: int, group_ids: list[int]) -> dict[str, Any]:
    template = ITEM_MIX[number % len(ITEM_MIX)]
    scale = 1 + (number // len(ITEM_MIX)) % 3
    return {**template, "quantity": template.get("quantity", 1) * scale, "group_id": group_ids[number % len(group_ids)]}


async def build_quote(base_url: str, session: str, csrf_token: str, items: int) -> int:
    async with httpx.AsyncClient(
        base_url=base_url, headers={"X-CSRF-Token": csrf_token, "Cookie": f"{COOKIE}={session}"}
    ) as client:

        async def sent(method: str, url: str, body: dict[str, Any]) -> dict[str, Any]:
            response = await client.request(method, url, json=body)
            if response.status_code not in (200, 201):
                raise RuntimeError(f"{method} {url} {body}: {response.status_code} {response.text}")
            data: dict[str, Any] = response.json()["data"]
            return data

        terms = {"duration": 12, "duration_unit": "months", "commitment_period": "1year", "global_discount_percent": 5}
        quote_id = int((await sent("POST", "/api/quotes", {"name": f"Bench {items} items", "region": REGION,
                                                           **terms}))["id"])  # fmt: skip
        for name in GROUPS:
            groups = (await sent("POST", f"/api/quotes/{quote_id}/groups", {"name": name}))["groups"]
        group_ids = [int(group["id"]) for group in groups]
        for number in range(items):
            await sent("POST", f"/api/quotes/{quote_id}/items", item_body(number, group_ids))
    return quote_id


async def measure(
    arguments: argparse.Namespace, ours: Server, uncached: Server, hello: Server, username: str, password: str
) -> Results:
    base_url = f"http://{HOST}:{ours.port}"
    sessions = [await sign_in(base_url, username, password) for _ in range(arguments.connections)]
    quote_id = await build_quote(base_url, *sessions[0], arguments.items)
    path = f"/api/quotes/{quote_id}/calculate"
    async with httpx.AsyncClient(base_url=base_url, cookies={COOKIE: sessions[0][0]}) as client:
        reference = await client.get(path)
    if reference.status_code != 200 or len(reference.json()["data"]["lines"]) != arguments.items:
        raise RuntimeError(f"the reference calculation failed: {reference.status_code} {reference.text[:500]}")
    calculation = reference.json()["data"]
    ours_answers = Answers(reference.content, calculation=True)
    open_connection = CLIENTS[arguments.client]
    warmup = max(100, arguments.requests // 10)

    single = await open_connection(ours.port, path, sessions[0][0])
    latency_ours = await measure_latency(single, ours, warmup, arguments.requests, ours_answers)
    await single.close()
    single = await open_connection(uncached.port, path, sessions[0][0])
    latency_uncached = await measure_latency(single, uncached, warmup, arguments.requests, ours_answers)
    await single.close()
    # Opened only now: uvicorn closes a keep-alive connection idle for 5 s.
    single = await open_connection(hello.port, "/hello", None)
    first_hello = await single.get()
    hello_answers = Answers(first_hello[1], calculation=False)
    hello_answers.check(*first_hello)
    latency_hello = await measure_latency(single, hello, warmup, arguments.requests, hello_answers)
    await single.close()

    many = [await open_connection(ours.port, path, session) for session, _ in sessions]
    throughput_ours = await measure_throughput(many, ours, arguments.seconds, ours_answers)
    for connection in many:
        await connection.close()
    many = [await open_connection(uncached.port, path, session) for session, _ in sessions]
    throughput_uncached = await measure_throughput(many, uncached, arguments.seconds, ours_answers)
    many_hello = [await open_connection(hello.port, "/hello", None) for _ in sessions]
    throughput_hello = await measure_throughput(many_hello, hello, arguments.seconds, hello_answers)
    for connection in many + many_hello:
        await connection.close()

    return Results(
        client=arguments.client,
        server=server_description(),
        items=arguments.items,
        total=calculation["total"],
        currency=calculation["currency"],
        body_bytes=len(reference.content),
        latency_ours=latency_ours,
        latency_uncached=latency_uncached,
        latency_hello=latency_hello,
        connections=arguments.connections,
        seconds=arguments.seconds,
        throughput_ours=throughput_ours,
        throughput_uncached=throughput_uncached,
        throughput_hello=throughput_hello,
        answers=ours_answers.count + hello_answers.count,
        mismatches=ours_answers.mismatches + hello_answers.mismatches,
        bad_answers=ours_answers.bad + hello_answers.bad,
    )


def server_description() -> str:
    http = "httptools" if importlib.util.find_spec("httptools") else "h11"
    loop = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"
    return f"uvicorn, 1 worker, {http} + {loop}"


def serve(target: str, port: int) -> None:
    """The server process: our app on DATABASE_URL (without its calculation cache for "uncached"), or the
    hello app imported by path."""
    import uvicorn

    app: Any = "hello_app:app"
    if target == "uncached":
        os.environ["FINOPS_QUOTE_CALCULATION_CACHE_SIZE"] = "0"
    if target in ("ours", "uncached"):
        from pydantic import SecretStr

        from api.app import create_app
        from finops.config import Settings

        app = create_app(Settings(database_url=SecretStr(os.environ["DATABASE_URL"])))
    uvicorn.run(app, host=HOST, port=port, workers=1, access_log=False, log_level="warning", app_dir=str(BENCH_DIR))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def served(target: str, dsn: str) -> Iterator[Server]:
    port = free_port()
    command = [sys.executable, __file__, "--serve", target, "--port", str(port)]
    process = subprocess.Popen(command, env={**os.environ, "DATABASE_URL": dsn})
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the {target} server exited with {process.returncode}")
            try:
                socket.create_connection((HOST, port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the {target} server did not listen within 60 s") from None
                time.sleep(0.1)
        yield Server(port, psutil.Process(process.pid))
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def database() -> Iterator[str]:
    if os.environ.get("DATABASE_URL"):
        yield os.environ["DATABASE_URL"]
        return
    from finops.cli.embedded_postgres import embedded_postgres

    with tempfile.TemporaryDirectory(prefix="finops-bench-") as home, embedded_postgres(Path(home)) as dsn:
        yield dsn


def prepare(dsn: str, catalog: Path, username: str, password: str) -> None:
    with connect(dsn, autocommit=True) as conn:
        migrate(conn)
    with psycopg.connect(dsn) as conn:
        record_catalog(conn, REGION, "EUR", parse_catalog(json.loads(catalog.read_text())), datetime.now(UTC))
        add_local_user(conn, username, hash_password(password))


def run(coroutine: Coroutine[Any, Any, Results]) -> Results:
    if importlib.util.find_spec("uvloop"):
        import uvloop

        return uvloop.run(coroutine)
    return asyncio.run(coroutine)


def report(results: Results) -> None:
    ours, uncached, hello = "calculate (cached per revision)", "calculate (priced every time)", "GET /hello"
    print(f"quote of {results.items} items: total {results.total} {results.currency}, answer {results.body_bytes:,} B;"
          f" client {results.client}; server {results.server}")  # fmt: skip
    print(f"(a) latency at 1 connection, {results.latency_ours.requests:,} requests"
          f"{'p50':>12}{'p90':>8}{'p99':>8}{'max':>8}  server CPU/request (ms)")  # fmt: skip
    latencies = ((ours, results.latency_ours), (uncached, results.latency_uncached), (hello, results.latency_hello))
    for label, latency in latencies:
        print(f"    {label:<40}{latency.p50_ms:8.2f}{latency.p90_ms:8.2f}{latency.p99_ms:8.2f}{latency.max_ms:8.2f}"
              f"{latency.server_cpu_ms:12.2f}")  # fmt: skip
    print(f"(b) throughput at {results.connections} connections for {results.seconds:g} s"
          f"{'requests/s':>18}{'server CPU':>12}{'client CPU':>12}")  # fmt: skip
    throughputs = (
        (ours, results.throughput_ours),
        (uncached, results.throughput_uncached),
        (hello, results.throughput_hello),
    )
    for label, throughput in throughputs:
        print(f"    {label:<40}{throughput.requests_per_second:12,.0f}{throughput.server_cpu:12.0%}"
              f"{throughput.client_cpu:12.0%}")  # fmt: skip
    print(f"ours/hello = {results.ratio:.3f} (target >= 0.1)   p99 = {results.latency_ours.p99_ms:.2f} ms"
          f" (target <= 5 ms);  priced every time: {results.ratio_uncached:.3f}, p99"
          f" {results.latency_uncached.p99_ms:.2f} ms")  # fmt: skip
    verdict = f"{results.mismatches:,} MISMATCHES" if results.mismatches else "all 200 with the same calculation"
    print(f"answers check: {verdict} ({results.answers:,} answers)")
    for bad in results.bad_answers:
        print(f"    {bad}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=2000, help="sequential requests at one connection")
    parser.add_argument("--seconds", type=float, default=10.0, help="duration of each throughput run")
    parser.add_argument("--connections", type=int, default=16, help="concurrent connections for throughput")
    parser.add_argument("--items", type=int, default=200, help="items in the quote")
    parser.add_argument("--client", choices=sorted(CLIENTS), default="raw")
    parser.add_argument("--catalog", type=Path, default=CATALOG, help="a ReadPublicCatalog answer for eu-west-2")
    parser.add_argument("--json", action="store_true", help="print the results as JSON instead of a table")
    parser.add_argument("--serve", choices=["ours", "uncached", "hello"], help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.serve:
        serve(arguments.serve, arguments.port)
        return

    username, password = f"bench{secrets.token_hex(4)}", secrets.token_urlsafe(18)
    with database() as dsn:
        prepare(dsn, arguments.catalog, username, password)
        try:
            with served("ours", dsn) as ours, served("uncached", dsn) as uncached, served("hello", dsn) as hello:
                results = run(measure(arguments, ours, uncached, hello, username, password))
        finally:
            with psycopg.connect(dsn) as conn:
                remove_local_user(conn, username)  # its sessions and quote go with it
    if arguments.json:
        print(
            json.dumps({**asdict(results), "ratio": results.ratio, "ratio_uncached": results.ratio_uncached}, indent=2)
        )
    else:
        report(results)
    if results.mismatches:
        sys.exit(1)


if __name__ == "__main__":
    main()

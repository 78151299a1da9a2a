"""Many people at once: N simulated users open pages of the real app with varied filters for D seconds,
optionally while loads run, and each page's time to drawn is measured:

    python tests/bench_users.py DB [--users 20] [--seconds 120] [--think 2 8] [--first overview]
                                   [--pages overview,trends,...] [--load]

It starts `python -m cxdata serve` on DB (with --load, loads write into DB: use a copy), waits for its
health check, then runs every user in this one asyncio process as a light client that speaks Streamlit's
own protocol, the one the browser speaks: a websocket to /_stcore/stream, BackMsg protobufs up (a
`rerun_script` carrying the page's URL path and query string, as the browser sends when a link is
opened) and ForwardMsg protobufs down until the run's `script_finished`. Nothing is drawn: the time is
the server's, from the request to the last element of the page, without a browser's layout and Plotly
drawing, so twenty users need not be twenty browsers on the server's two cores. Like the browser, the
client keeps the large elements it received and names them in its next requests, so the server sends
a reference instead of an element the client already holds.

A user opens a session on the overview (--first names another page) with no filters in the link,
learns the filter choices from the sidebar it drew, then opens pages at random with a random view: a
period preset, a comparison and none, one or two filter values; between pages it waits a random think
time. All users start at the same moment. A page
counts as failed when it shows an exception or an error box, when the page asked for is not found,
when its title is missing, or when it does not finish within --timeout seconds. --load runs day exports
through `python -m cxdata load`, one after the other (tests/bench_load.py --loop), while the users work.
The server's health check is asked every second; a second without an answer is counted.

A benchmark, not a test: pytest does not collect it (its name does not start with test_).
tests/test_bench_users.py checks the client on a real server; the figures go to docs/performance.md
("Many people at once").
"""
from __future__ import annotations

import argparse
import asyncio
import os
import random
import resource
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

ROOT = Path(__file__).resolve().parent.parent

# The pages the users open: the name given on the command line -> (URL path, the title the page shows).
# The client asks in English (its locale is en-US), so the titles are app.py's, untranslated.
PAGES = {
    "overview": ("", "Executive overview"),
    "trends": ("trends", "KPI trends"),
    "journey": ("journey", "Journey map"),
    "voice": ("voice", "Voice of the customer"),
    "churn": ("churn", "Churn alerts"),
    "departments": ("departments", "Department scorecards"),
    "service": ("service", "Service levels"),
}
# The URL's filter parameters (cxdata/filters.py): the period presets and comparisons a link may name, and
# the sidebar's filter boxes by label; the values each box offers are read from the page the server drew.
PERIODS = ["30d", "90d", "quarter", "ytd", "12m"]
COMPARISONS = ["previous", "quarter", "year"]
FILTER_BOXES = {"Segment": "segment", "Region": "region", "Plan": "plan", "Channel": "channel",
                "Department": "department", "Journey stage": "journey_stage"}
# Streamlit's global.maxCachedMessageAge: the browser forgets an element not used in this many runs.
MAX_CACHED_AGE = 2


@dataclass
class Drawn:
    """What one run of a page put on the screen, as far as this benchmark looks at it."""
    headings: list[str] = field(default_factory=list)
    metrics: list[str] = field(default_factory=list)                # "label: value"
    boxes: dict[str, list[str]] = field(default_factory=dict)       # a multiselect's label -> its options
    problems: list[str] = field(default_factory=list)
    finished: bool = False                                          # the run's script_finished came

    def add(self, element) -> None:
        kind = element.WhichOneof("type")
        if kind == "heading":
            self.headings.append(element.heading.body)
        elif kind == "metric":
            self.metrics.append(f"{element.metric.label}: {element.metric.body}")
        elif kind == "multiselect":
            self.boxes[element.multiselect.label] = list(element.multiselect.options)
        elif kind == "exception" and not element.exception.is_warning:
            self.problems.append(f"exception {element.exception.type}: {element.exception.message[:200]}")
        elif kind == "alert" and element.alert.format == Alert.ERROR:
            self.problems.append(f"error shown: {element.alert.body[:200]}")


class ElementCache:
    """The browser's cache of large elements: the server sends a reference (`ref_hash`) instead of an element
    whose hash the client names in its request; an element not used in MAX_CACHED_AGE runs is forgotten."""

    def __init__(self) -> None:
        self._entries: dict[str, tuple[object, int]] = {}   # hash -> (element, the run that last used it)
        self._run = 0

    def hashes(self) -> list[str]:
        return list(self._entries)

    def keep(self, digest: str, element) -> None:
        self._entries[digest] = (element, self._run)

    def get(self, digest: str):
        element, _used = self._entries[digest]
        self._entries[digest] = (element, self._run)
        return element

    def run_finished(self) -> None:
        self._run += 1
        self._entries = {h: e for h, e in self._entries.items() if self._run - e[1] <= MAX_CACHED_AGE}


@dataclass
class Opened:
    """One page opened: which, with what query string, how long until drawn, and what it drew."""
    user: int
    page: str
    query: str
    seconds: float
    drawn: Drawn
    first: bool = False     # the session's first page

    @property
    def failed(self) -> bool:
        return bool(self.drawn.problems)


async def open_page(ws: ClientConnection, cache: ElementCache, url: str, page: str, query: str,
                    timeout: float, path: str | None = None) -> tuple[float, Drawn]:
    """Ask for `page` with `query` as the browser does when a link is opened in a session, and read the
    answer until the run is over. Returns the seconds from the request to the run's end, and what it drew.
    `path` overrides the page's URL path (to ask for one that does not exist)."""
    path = PAGES[page][0] if path is None else path
    request = BackMsg()
    state = request.rerun_script
    state.query_string = query
    state.page_name = path
    state.cached_message_hashes.extend(cache.hashes())
    state.context_info.timezone = "UTC"
    state.context_info.timezone_offset = 0
    state.context_info.locale = "en-US"
    state.context_info.url = f"{url}/{path}" + (f"?{query}" if query else "")
    drawn = Drawn()
    began = time.perf_counter()
    await ws.send(request.SerializeToString())
    try:
        async with asyncio.timeout(timeout):
            while True:
                msg = ForwardMsg()
                msg.ParseFromString(await ws.recv())
                kind = msg.WhichOneof("type")
                if kind == "new_session":       # a run starts (again after an st.rerun): its page replaces the last
                    drawn = Drawn()
                elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                    if msg.metadata.cacheable:
                        cache.keep(msg.hash, msg.delta.new_element)
                    drawn.add(msg.delta.new_element)
                elif kind == "ref_hash":
                    try:
                        drawn.add(cache.get(msg.ref_hash))
                    except KeyError:
                        drawn.problems.append(f"a reference to an element never received ({msg.ref_hash})")
                elif kind == "page_not_found":
                    drawn.problems.append(f"page not found: {path!r}")   # the message names none
                elif kind == "session_event" and msg.session_event.HasField("script_compilation_exception"):
                    drawn.problems.append(f"script error: {msg.session_event.script_compilation_exception.message}")
                elif kind == "script_finished":
                    if msg.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                        continue
                    if msg.script_finished == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                        drawn.problems.append("the script did not compile")
                    drawn.finished = True
                    break
    except TimeoutError:
        drawn.problems.append(f"not drawn within {timeout:.0f} s")
    cache.run_finished()
    seconds = time.perf_counter() - began
    title = PAGES[page][1]
    if path == PAGES[page][0] and not drawn.problems and title not in drawn.headings:
        drawn.problems.append(f"title {title!r} not drawn (headings: {drawn.headings[:3]})")
    return seconds, drawn


def random_view(rng: random.Random, boxes: dict[str, list[str]]) -> str:
    """A query string as a shared link or a filter change makes it: a period, a comparison, and none, one
    or two filter values among those the sidebar offers."""
    params: dict[str, str] = {"period": rng.choice(PERIODS), "compare": rng.choice(COMPARISONS)}
    offered = [(FILTER_BOXES[label], options) for label, options in boxes.items()
               if label in FILTER_BOXES and options]
    for key, options in rng.sample(offered, min(len(offered), rng.choices([0, 1, 2], [5, 3, 2])[0])):
        params[key] = rng.choice(options)
    return urllib.parse.urlencode(params)


async def user(number: int, url: str, pages: list[str], until: float, think: tuple[float, float],
               timeout: float, seed: int, opened: list[Opened], opens: int | None = None,
               first_page: str = "overview") -> None:
    """One person: a session opened on `first_page` with no filters in its link, then pages with random
    views until `until` (or until `opens` more pages are drawn). A connection the server drops, or does not accept, is a
    failed page; the person then opens a new session, as the browser reconnects."""
    rng = random.Random(seed * 1000 + number)
    ws_url = url.replace("http://", "ws://", 1) + "/_stcore/stream"
    boxes: dict[str, list[str]] = {}
    page, query, first = first_page, "", True
    done = 0    # pages this person opened
    while time.monotonic() < until and (opens is None or done <= opens):
        began = time.perf_counter()
        try:
            async with connect(ws_url, subprotocols=["streamlit"], max_size=None, proxy=None, ping_interval=None,
                               open_timeout=timeout) as ws:
                cache = ElementCache()
                while True:
                    seconds, drawn = await open_page(ws, cache, url, page, query, timeout)
                    opened.append(Opened(number, page, query, seconds, drawn, first=first))
                    boxes, first, done = (drawn.boxes or boxes), False, done + 1
                    if opens is not None and done > opens:
                        return
                    if not drawn.finished:      # a page never drawn: the person reloads, in a new session
                        page, query, first = first_page, "", True
                        break
                    await asyncio.sleep(rng.uniform(*think))
                    if time.monotonic() >= until:
                        return
                    page, query = rng.choice(pages), random_view(rng, boxes)
        except (ConnectionClosed, OSError, TimeoutError) as exc:
            drawn = Drawn(problems=[f"connection lost: {type(exc).__name__}"])
            opened.append(Opened(number, page, query, time.perf_counter() - began, drawn, first=first))
            page, query, first, done = first_page, "", True, done + 1
            await asyncio.sleep(max(1.0, rng.uniform(*think)))


async def health(url: str, answers: list[float | None]) -> None:
    """Ask /_stcore/health once a second, as a load balancer does: the seconds each answer took, or None
    when no 200 came within the second."""
    host, port = urllib.parse.urlsplit(url).hostname, urllib.parse.urlsplit(url).port
    while True:
        began = time.monotonic()
        try:
            async with asyncio.timeout(1.0):
                reader, writer = await asyncio.open_connection(host, port)
                writer.write(f"GET /_stcore/health HTTP/1.1\r\nHost: {host}:{port}\r\n"
                             "Connection: close\r\n\r\n".encode())
                status = await reader.readline()
                writer.close()
            answers.append(time.monotonic() - began if b" 200 " in status else None)
        except (TimeoutError, OSError):
            answers.append(None)
        await asyncio.sleep(max(0.0, 1.0 - (time.monotonic() - began)))


async def load_average(samples: list[float]) -> None:
    """The machine's 1-minute load average, once a second."""
    while True:
        samples.append(os.getloadavg()[0])
        await asyncio.sleep(1.0)


async def simulate(url: str, users: int, seconds: float, pages: list[str], think: tuple[float, float] = (2, 8),
                   timeout: float = 60, seed: int = 1, opens: int | None = None, first_page: str = "overview"
                   ) -> tuple[list[Opened], list[float | None], list[float]]:
    """`users` people at once on the app at `url` for `seconds` (or for `opens` pages each after their
    `first_page`): every page opened, the health check's answers (None: none within the second), and the
    1-minute load average each second, both until the last person is done."""
    opened: list[Opened] = []
    answers: list[float | None] = []
    loads: list[float] = []
    until = time.monotonic() + seconds
    watching = [asyncio.create_task(health(url, answers)), asyncio.create_task(load_average(loads))]
    await asyncio.gather(*(user(n, url, pages, until, think, timeout, seed, opened, opens, first_page)
                           for n in range(users)))
    for task in watching:
        task.cancel()
    await asyncio.gather(*watching, return_exceptions=True)
    return opened, answers, loads


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(db: Path, log_path: Path, timeout: float = 600) -> tuple[subprocess.Popen, str]:
    """`python -m cxdata serve` on `db` on a free port of 127.0.0.1, once its health check answers."""
    return start(lambda port: [sys.executable, "-m", "cxdata", "serve", "--db", str(db), "--port", str(port),
                               "--address", "127.0.0.1"], log_path, timeout)


def start(command, log_path: Path, timeout: float = 600, cwd: Path = ROOT) -> tuple[subprocess.Popen, str]:
    """Run `command(port)` (a server) on a free port, its output to `log_path`; its process and address
    once GET /_stcore/health answers 200."""
    port = free_port()
    with open(log_path, "w") as log:
        proc = subprocess.Popen(command(port), cwd=cwd, env={**os.environ, "CX_WARMUP": "1"},
                                stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
                s.sendall(b"GET /_stcore/health HTTP/1.0\r\n\r\n")
                if b" 200 " in s.recv(64):
                    return proc, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.2)
    proc.kill()
    proc.wait()
    raise RuntimeError(f"the server did not start: {log_path.read_text()[-2000:]}")


def cpu_seconds(pid: int) -> float:
    """User and system CPU of a live process, all its threads (/proc/PID/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_busy_seconds() -> float:
    """CPU seconds every process on the machine has used since it booted, all cores (/proc/stat)."""
    user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, Path("/proc/stat").read_text().split()[1:9])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def peak_memory_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1] if len(values) > 1 else values[0]


def summary_lines(opened: list[Opened]) -> list[str]:
    """One line per page and one for all: opens, failed, and the p50, p95 and slowest time to drawn of
    them all (a page not drawn counts with the time it was waited for: the timeout)."""
    lines = [f"{'page':<12} {'opens':>6} {'failed':>6} {'p50':>7} {'p95':>7} {'max':>7}"]
    groups = {page: [o for o in opened if o.page == page] for page in PAGES}
    groups["first page"] = [o for o in opened if o.first]
    groups["all"] = opened
    for name, group in groups.items():
        if group:
            times = [o.seconds for o in group]
            lines.append(f"{name:<12} {len(group):>6} {sum(o.failed for o in group):>6} "
                         f"{statistics.median(times):>6.2f}s {p95(times):>6.2f}s {max(times):>6.2f}s")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db", type=Path)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--think", type=float, nargs=2, default=[2.0, 8.0], metavar=("MIN", "MAX"),
                        help="seconds a user looks at a page before the next (uniform; default 2 8)")
    parser.add_argument("--pages", default=",".join(PAGES), help=f"comma-separated, of {', '.join(PAGES)}")
    parser.add_argument("--first", default="overview", choices=list(PAGES), help="the page a session opens on")
    parser.add_argument("--load", action="store_true", help="load day exports into DB while the users work")
    parser.add_argument("--load-contacts", type=int, default=1000, help="contacts per load (default 1000; "
                        "a fifth as many answers and a tenth as many payments)")
    parser.add_argument("--timeout", type=float, default=60, help="seconds before a page counts as not drawn")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    pages = args.pages.split(",")
    unknown = set(pages) - set(PAGES)
    if unknown:
        parser.error(f"unknown pages {sorted(unknown)}")

    began = time.monotonic()
    proc, url = start_server(args.db, Path(f"/tmp/bench_users_{os.getpid()}.log"))
    print(f"server on {url} answering after {time.monotonic() - began:.1f} s "
          f"(CPU {cpu_seconds(proc.pid):.1f} s); log /tmp/bench_users_{os.getpid()}.log", flush=True)
    loader = None
    try:
        if args.load:
            loader = subprocess.Popen(
                [sys.executable, "tests/bench_load.py", "--loop", str(args.db), "--contacts", str(args.load_contacts),
                 "--answers", str(args.load_contacts // 5), "--payments", str(args.load_contacts // 10)],
                cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        server_cpu, client_cpu = cpu_seconds(proc.pid), resource.getrusage(resource.RUSAGE_SELF)
        busy = machine_busy_seconds()
        wall = time.monotonic()
        opened, answers, loads = asyncio.run(simulate(url, args.users, args.seconds, pages, tuple(args.think),
                                                      args.timeout, args.seed, first_page=args.first))
        wall = time.monotonic() - wall
        server_cpu = cpu_seconds(proc.pid) - server_cpu
        busy = machine_busy_seconds() - busy
        mine = resource.getrusage(resource.RUSAGE_SELF)
        client_cpu = mine.ru_utime + mine.ru_stime - client_cpu.ru_utime - client_cpu.ru_stime
        load_lines = []
        if loader is not None:
            loader.send_signal(signal.SIGTERM)          # the load under way finishes first
            load_lines = loader.communicate(timeout=600)[0].splitlines()
        loader_cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
        peak = peak_memory_mb(proc.pid)
    finally:
        if loader is not None and loader.poll() is None:
            loader.kill()
        proc.terminate()
        proc.wait(timeout=60)

    print(f"{args.users} users for {args.seconds:.0f} s on {args.db} ({wall:.0f} s with the last pages), think "
          f"{args.think[0]:g}-{args.think[1]:g} s, sessions open on {args.first}, pages {', '.join(pages)}; "
          f"loads: {'yes' if args.load else 'no'}")
    print("\n".join(summary_lines(opened)))
    problems = Counter(p for o in opened for p in o.drawn.problems)
    for problem, n in problems.most_common(8):
        print(f"  failed {n}x: {problem}")
    unanswered = sum(a is None for a in answers)
    slowest = max((a for a in answers if a is not None), default=float("nan"))
    print(f"health check: asked {len(answers)} times (once a second), {unanswered} without an answer within "
          f"the second; slowest answer {slowest:.2f} s")
    if load_lines:
        times = [float(line.split("load ")[2].split(" s")[0]) for line in load_lines if line.startswith("load ")]
        failed = sum(" exit 0" not in line for line in load_lines if line.startswith("load "))
        print(f"loads: {len(times)} ({failed} failed), each {min(times):.1f}-{max(times):.1f} s, "
              f"median {statistics.median(times):.1f} s" if times else "loads: none finished")
        for line in load_lines:
            if not line.startswith("load "):
                print(f"  load said: {line}")
    print(f"load average (1 min) during the run: mean {statistics.mean(loads):.1f}, max {max(loads):.1f}; "
          f"at the end {' / '.join(f'{x:.1f}' for x in os.getloadavg())} (1/5/15 min)")
    loads_cpu = loader_cpu.ru_utime + loader_cpu.ru_stime if loader is not None else 0.0
    print(f"CPU seconds during the run ({os.cpu_count() * wall:.0f} on {os.cpu_count()} cores): server "
          f"{server_cpu:.1f}, this client {client_cpu:.1f}"
          + (f", loads {loads_cpu:.1f} (until the last one ended)" if loader is not None else "")
          + f", everything else on the machine {max(0.0, busy - server_cpu - client_cpu):.1f}"
          + (" (the loads' included)" if loader is not None else "")
          + f"; server peak memory {peak:,.0f} MB")


if __name__ == "__main__":
    main()

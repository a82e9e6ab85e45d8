"""Measures mume against curl on a loopback mock server and writes bench/RESULTS.md.

Every figure is the median of --runs runs after one warm-up, mume and curl measured side
by side in the same run, so the ratios hold even on a noisy shared machine.
"""
import argparse
import datetime
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ANALYSIS_MARKER = "<!-- analysis: kept by bench.py across runs -->"


def run_once(argv, env):
    """Runs a command with stdin and stdout on /dev/null; returns (seconds, its rusage
    peak RSS, its CPU seconds). posix_spawn keeps the parent's fork cost out of the time."""
    path = argv[0] if os.sep in argv[0] else shutil.which(argv[0])
    actions = [(os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
               (os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0)]
    start = time.perf_counter()
    pid = os.posix_spawn(path, argv, env, file_actions=actions)
    _, status, usage = os.wait4(pid, 0)
    elapsed = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        sys.exit("%s failed with exit code %d" % (" ".join(argv[:3]), code))
    return elapsed, usage.ru_maxrss, usage.ru_utime + usage.ru_stime


def peak_rss(argv, env):
    """Peak RSS in KiB as GNU time reports it: its child starts from time's small image,
    not from this Python process's, so the figure is the command's own."""
    with tempfile.NamedTemporaryFile("r") as out:
        subprocess.run(["/usr/bin/time", "-f", "%M", "-o", out.name] + argv, env=env, check=True,
                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
        return int(out.read().split()[-1])


def measure(argv, env, runs, memory=True):
    """Median wall time and median peak RSS (KiB, None unless `memory`) of `runs` runs
    after a warm-up."""
    run_once(argv, env)
    times = [run_once(argv, env)[0] for _ in range(runs)]
    rss = [peak_rss(argv, env) for _ in range(runs)] if memory else [None]
    return statistics.median(times), statistics.median(rss) if memory else None


def stream_reads(argv, env, sends_file):
    """Runs a client on the slow stream; returns (first-token latency, median and max
    per-chunk latency, reads, last byte to exit), times in ms."""
    if os.path.exists(sends_file):
        os.remove(sends_file)
    proc = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    fd = proc.stdout.fileno()
    reads = []
    while True:
        data = os.read(fd, 65536)
        now = time.monotonic_ns()
        if not data:
            break
        reads.append((now, data))
    os.wait4(proc.pid, 0)
    exited = time.monotonic_ns()
    for _ in range(100):
        if os.path.exists(sends_file) and os.path.getsize(sends_file) > 0:
            break
        time.sleep(0.01)
    sends = [int(x) for x in open(sends_file).read().split()]
    # Match each chunk's first byte to the read that carried it.
    arrivals, seen = [], 0
    for when, data in reads:
        words = data.count(b"word")
        arrivals.extend([when] * words)
        seen += words
    per_chunk = [(a - s) / 1e6 for a, s in zip(arrivals, sends)]
    return {
        "first": (reads[0][0] - sends[0]) / 1e6,
        "chunk_median": statistics.median(per_chunk),
        "chunk_max": max(per_chunk),
        "reads": len(reads),
        "exit": (exited - reads[-1][0]) / 1e6,
    }


def xargs_rate(mume, rows_file, rows, jobs, env, runs):
    """Rows per second of `xargs -P jobs -n 1 mume` over a file of prompts, one a line."""
    argv = ["xargs", "-d", "\n", "-P", str(jobs), "-n", "1", mume, "-m", "small", "--no-save"]

    def once():
        with open(rows_file) as rows_in:
            start = time.perf_counter()
            subprocess.run(argv, env=env, stdin=rows_in, stdout=subprocess.DEVNULL, check=True)
            return time.perf_counter() - start

    once()
    return rows / statistics.median(once() for _ in range(runs))


def timed(argv, env):
    """Runs a command; returns (seconds, peak RSS in KiB, stdout)."""
    with tempfile.NamedTemporaryFile("r") as rss:
        start = time.perf_counter()
        done = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", rss.name] + argv, env=env, check=True,
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE)
        elapsed = time.perf_counter() - start
        return elapsed, int(rss.read().split()[-1]), done.stdout.decode()


def provider_batches(mume, work, env, runs):
    """Submit and fetch against bench/batch_server.py, beside curl uploading and downloading
    the same bytes, and jq reading the output files' answers (a floor for reading every
    line); returns {rows: (submit, fetch, curl_up, curl_down, jq)}, each (s, KiB)."""
    server = subprocess.Popen([sys.executable, os.path.join(HERE, "batch_server.py")], stdout=subprocess.PIPE)
    url = "http://127.0.0.1:%d/v1" % int(server.stdout.readline())
    env = dict(env, MUME_BASE_URL=url, XDG_DATA_HOME=os.path.join(work, "batch-data"))
    found = {}
    try:
        for n in (10000, 100000):
            rows = os.path.join(work, "reviews-%d.jsonl" % n)
            with open(rows, "w") as f:
                f.write("".join(json.dumps({"id": i, "prompt": "Review %d: it works, mostly." % i}) + "\n"
                                for i in range(n)))
            lines = os.path.join(work, "lines-%d.jsonl" % n)
            with open(lines, "w") as f:
                subprocess.run([mume, "batch", rows, "--submit", "--dry-run"], env=env, check=True, stdout=f)
            submits, fetches, ups, downs, jqs = [], [], [], [], []
            for _ in range(runs):
                seconds, rss, out = timed([mume, "batch", rows, "--submit"], env)
                job = out.strip()
                submits.append((seconds, rss))
                target = os.path.join(work, "fetched-%d.jsonl" % n)
                if os.path.exists(target):
                    os.remove(target)
                seconds, rss, _ = timed([mume, "batch", "fetch", job, "--output", target], env)
                fetches.append((seconds, rss))
                state = json.load(open(os.path.join(env["XDG_DATA_HOME"], "mume", "batches", job, "job.json")))
                output_id = state["parts"][0]["output_file_id"]
                seconds, rss, _ = timed(["curl", "-sS", "--fail", "-o", "/dev/null", "-F", "purpose=batch",
                                         "-F", "file=@%s" % lines, url + "/files"], env)
                ups.append((seconds, rss))
                seconds, rss, _ = timed(["curl", "-sS", "--fail", "-o", "/dev/null",
                                         url + "/files/%s/content" % output_id], env)
                downs.append((seconds, rss))
                outputs = os.path.join(work, "outputs-%d.jsonl" % n)
                with open(outputs, "wb") as f:
                    for part in state["parts"]:
                        f.write(urllib.request.urlopen(url + "/files/%s/content" % part["output_file_id"]).read())
                seconds, rss, _ = timed(["jq", "-c", "{id: .custom_id, content: .response.body.choices[0].message.content}",
                                         outputs], env) if shutil.which("jq") else (float("nan"), 0, "")
                jqs.append((seconds, rss))
            found[n] = tuple((statistics.median(t for t, _ in m), statistics.median(r for _, r in m))
                             for m in (submits, fetches, ups, downs, jqs))
    finally:
        server.kill()
    return found


def median_of(runs, fn):
    """Each figure of fn's result, the median of `runs` runs after a warm-up."""
    fn()
    results = [fn() for _ in range(runs)]
    return {k: statistics.median(r[k] for r in results) for k in results[0]}


def first_line(argv):
    try:
        return subprocess.run(argv, capture_output=True, text=True).stdout.splitlines()[0]
    except (OSError, IndexError):
        return "unknown"


def cpu_model():
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--mume", required=True)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--out", default=os.path.join(HERE, "RESULTS.md"))
    parser.add_argument("--reader", help="bench/reader's binary: also measure reqwest alone")
    args = parser.parse_args()
    mume = os.path.abspath(args.mume)

    work = tempfile.mkdtemp(prefix="mume-bench-")
    sends_file = os.path.join(work, "sends")
    server = subprocess.Popen([sys.executable, os.path.join(HERE, "server.py"), "--sends", sends_file],
                              stdout=subprocess.PIPE)
    port = int(server.stdout.readline())
    url = "http://127.0.0.1:%d/v1" % port
    kept_port = int(server.stdout.readline())
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": work,
           "XDG_DATA_HOME": os.path.join(work, "data"), "XDG_CONFIG_HOME": os.path.join(work, "config"),
           "MUME_BASE_URL": url}

    def curl_post(model, stream=False):
        body = json.dumps({"model": model, "messages": [{"role": "user", "content": "q"}],
                           **({"stream": True} if stream else {})})
        return ["curl", "-sS", "--fail"] + (["-N"] if stream else []) + [
            url + "/chat/completions", "-H", "content-type: application/json", "-d", body]

    rows = []
    try:
        r = args.runs
        start = (measure([mume, "--version"], env, r), measure(["curl", "--version"], env, r))
        small = (measure([mume, "-m", "small", "q"], env, r), measure(curl_post("small"), env, r))
        streams = {}
        for n in (10000, 100000):
            streams[n] = (measure([mume, "--stream", "-m", "stream-%d" % n, "q"], env, r),
                          measure(curl_post("stream-%d" % n, True), env, r))
        chunked = (measure([mume, "--stream", "-m", "chunked-100000", "q"], env, r, memory=False),
                   measure(curl_post("chunked-100000", True), env, r, memory=False))
        slow_mume = median_of(r, lambda: stream_reads([mume, "--stream", "-m", "slow", "q"], env, sends_file))
        slow_curl = median_of(r, lambda: stream_reads(curl_post("slow", True), env, sends_file))
        drawn = {mode: measure([mume, "--stream", "-m", "markdown-100000", "--render", mode, "q"], env, r)
                 for mode in ("always", "never")}
        slow_drawn = median_of(r, lambda: stream_reads([mume, "--stream", "-m", "slow", "--render", "always", "q"],
                                                     env, sends_file))
        batch = {}
        for n in (10000, 100000):
            lines = "".join('"q%d"\n' % i for i in range(n))
            with open(os.path.join(work, "rows-%d.jsonl" % n), "w") as f:
                f.write(lines)
        text_rows = 1000
        with open(os.path.join(work, "prompts.txt"), "w") as f:
            f.write("".join("q%d\n" % i for i in range(text_rows)))
        kept_env = dict(env, MUME_BASE_URL="http://127.0.0.1:%d/v1" % kept_port)
        for jobs in (1, 4, 16):
            argv = [mume, "batch", os.path.join(work, "rows-10000.jsonl"), "-j", str(jobs)]
            seconds, rss = measure(argv, kept_env, 3)
            batch[jobs] = (10000 / seconds, rss,
                           xargs_rate(mume, os.path.join(work, "prompts.txt"), text_rows, jobs, env, 3))
        busy = run_once([mume, "batch", os.path.join(work, "rows-10000.jsonl"), "-j", "16"], kept_env)
        batch_cpu = busy[2] / busy[0]
        batch_rss100 = peak_rss([mume, "batch", os.path.join(work, "rows-100000.jsonl"), "-j", "16"], kept_env)
        provider = provider_batches(mume, work, env, 3)
        floor = {}
        if args.reader:
            for mode in ("blocking", "inline"):
                reader = [os.path.abspath(args.reader), mode, url + "/chat/completions"]
                floor[mode] = (measure(reader + ["stream-100000"], env, r, memory=False)[0],
                               measure(reader + ["chunked-100000"], env, r, memory=False)[0],
                               median_of(r, lambda: stream_reads(reader + ["slow"], env, sends_file)))
    finally:
        server.kill()

    def ms(s):
        return "%.2f ms" % (s * 1000)

    def mib(k):
        return "%.1f MiB" % (k / 1024)

    rss10, rss100 = streams[10000][0][1], streams[100000][0][1]
    chunks_per_s = 100000 / streams[100000][0][0]
    chunked_per_s = 100000 / chunked[0][0]
    results = [
        ("start-up (`--version`)", ms(start[0][0]), ms(start[1][0]), start[0][0] / start[1][0], "≤ 0.3×", start[0][0] / start[1][0] <= 0.3),
        ("one small request", ms(small[0][0]), ms(small[1][0]), small[0][0] / small[1][0], "≤ 1.3×", small[0][0] / small[1][0] <= 1.3),
        ("10k-chunk stream, read to close", ms(streams[10000][0][0]), ms(streams[10000][1][0]), streams[10000][0][0] / streams[10000][1][0], "", None),
        ("100k-chunk stream, read to close", ms(streams[100000][0][0]), ms(streams[100000][1][0]), streams[100000][0][0] / streams[100000][1][0], "≤ 2×, ≥ 500k chunks/s",
         streams[100000][0][0] / streams[100000][1][0] <= 2 and chunks_per_s >= 500000),
        ("100k-chunk stream, one HTTP chunk per event", ms(chunked[0][0]), ms(chunked[1][0]), chunked[0][0] / chunked[1][0], "≤ 2×, ≥ 500k chunks/s",
         chunked[0][0] / chunked[1][0] <= 2 and chunked_per_s >= 500000),
    ]
    lines = [
        "# Benchmark results",
        "",
        "Made by `bench/run.sh` on %s." % datetime.date.today().isoformat(),
        "",
        "- machine: %s, %d cores, %s" % (cpu_model(), os.cpu_count(), platform.platform()),
        "- mume: %s; curl: %s" % (first_line([mume, "--version"]), first_line(["curl", "--version"])),
        "- each figure: the median of %d runs after a warm-up; server: `bench/server.py` on loopback" % args.runs,
        "",
        "| measure | mume | curl | ratio | target | met |",
        "|---|---|---|---|---|---|",
    ]
    for name, a, b, ratio, target, met in results:
        lines.append("| %s | %s | %s | %.2f× | %s | %s |" % (name, a, b, ratio, target, "" if met is None else ("yes" if met else "**no**")))
    lines += [
        "",
        "Streaming throughput (100k chunks): %.0f chunks/s when the body runs to the connection's" % chunks_per_s,
        "close and is read in large pieces; %.0f chunks/s when every event is its own HTTP chunk," % chunked_per_s,
        "as OpenAI, vLLM, Ollama and llama.cpp send a stream.",
        "",
        "| peak resident memory | mume | curl |",
        "|---|---|---|",
        "| one small request | %s | %s |" % (mib(small[0][1]), mib(small[1][1])),
        "| 10k-chunk stream | %s | %s |" % (mib(rss10), mib(streams[10000][1][1])),
        "| 100k-chunk stream | %s | %s |" % (mib(rss100), mib(streams[100000][1][1])),
        "",
        "Target: ≤ 8 MiB for 100k chunks and within 1 MiB of the 10k figure: %s (%s, growth %.2f MiB)." % (
            "met" if rss100 <= 8 * 1024 and rss100 - rss10 <= 1024 else "**not met**", mib(rss100), (rss100 - rss10) / 1024),
        "",
        "Slow stream (200 ms wait, then 50 chunks 10 ms apart); latency is from the",
        "server's send to the byte arriving on the client's stdout pipe:",
        "",
        "| measure | mume | curl -N | target |",
        "|---|---|---|---|",
        "| first token | %.3f ms | %.3f ms | ≤ curl + 0.15 ms: %s |" % (
            slow_mume["first"], slow_curl["first"], "met" if slow_mume["first"] <= slow_curl["first"] + 0.15 else "**not met**"),
        "| per chunk, median | %.3f ms | %.3f ms | |" % (slow_mume["chunk_median"], slow_curl["chunk_median"]),
        "| per chunk, max | %.3f ms | %.3f ms | |" % (slow_mume["chunk_max"], slow_curl["chunk_max"]),
        "| reads by the consumer (50 chunks) | %d | %d | one write per chunk |" % (slow_mume["reads"], slow_curl["reads"]),
        "| last byte to exit | %.3f ms | %.3f ms | ≤ 0.5 ms: %s |" % (
            slow_mume["exit"], slow_curl["exit"], "met" if slow_mume["exit"] <= 0.5 else "**not met**"),
        "",
    ]
    drawn_ratio = drawn["always"][0] / drawn["never"][0]
    lines += [
        "Drawn answers: a 100k-chunk stream of Markdown-rich text (headings, spans, lists, code",
        "blocks; about four characters a chunk) into a pipe, drawn (`--render always`) and as it",
        "came (`--render never`); and the slow stream's first token, drawn:",
        "",
        "| measure | `--render always` | `--render never` | target |",
        "|---|---|---|---|",
        "| 100k Markdown chunks | %s | %s | ≤ 1.5×: %s (%.2f×) |" % (
            ms(drawn["always"][0]), ms(drawn["never"][0]), "met" if drawn_ratio <= 1.5 else "**not met**", drawn_ratio),
        "| peak RSS | %s | %s | |" % (mib(drawn["always"][1]), mib(drawn["never"][1])),
        "| first token (slow stream) | %.3f ms | %.3f ms | |" % (slow_drawn["first"], slow_mume["first"]),
        "",
    ]
    ratio16 = batch[16][0] / batch[16][2]
    lines += [
        "`mume batch`: 10,000 rows of small non-streamed answers (the server keeps connections",
        "alive and answers at once, from one event loop), against `xargs -P N -n 1 mume` over %d of" % text_rows,
        "the same prompts (one process and one connection per row):",
        "",
        "| jobs | `mume batch` rows/s | peak RSS | `xargs -P N mume` rows/s | ratio |",
        "|---|---|---|---|---|",
    ]
    for jobs in (1, 4, 16):
        rate, rss, xargs = batch[jobs]
        lines.append("| %d | %.0f | %s | %.0f | %.1f× |" % (jobs, rate, mib(rss), xargs, rate / xargs))
    lines += [
        "",
        "Targets: `-j 16` at least 5× the rows per second of `xargs -P 16`: %s (%.1f×); peak RSS" % (
            "met" if ratio16 >= 5 else "**not met**", ratio16),
        "under 16 MiB at `-j 16` and flat from 10k to 100k rows: %s (%s at 10k, %s at 100k)." % (
            "met" if batch[16][1] < 16 * 1024 and batch_rss100 - batch[16][1] <= 1024 else "**not met**",
            mib(batch[16][1]), mib(batch_rss100)),
        "At `-j 16` mume kept %.0f%% of one core busy: it, not the server, bounds the rate." % (batch_cpu * 100)
        if batch_cpu > 0.85 else
        "At `-j 16` mume kept only %.0f%% of one core busy: the server may bound the rate." % (batch_cpu * 100),
        "",
    ]
    p10, p100 = provider[10000], provider[100000]
    submit_ratio, fetch_ratio = p100[0][0] / p100[2][0], p100[1][0] / p100[3][0]
    flat = all(p100[i][1] <= 32 * 1024 and p100[i][1] - p10[i][1] <= 1024 for i in (0, 1))
    lines += [
        "Provider batches (`mume batch --submit`, `mume batch fetch`) against `bench/batch_server.py`,",
        "a Files and Batches API that completes a batch as it is made; beside them, curl",
        "uploading the same request lines (`curl -F file=@…`) and downloading one output",
        "file, and jq reading each answer of the job's output files",
        "(`jq -c '{id: .custom_id, content: .response.body.choices[0].message.content}'`).",
        "Median of 3 runs:",
        "",
        "| rows | submit | curl upload | fetch | curl download | jq over the output | peak RSS submit / fetch |",
        "|---|---|---|---|---|---|---|",
    ]
    for n, p in ((10000, p10), (100000, p100)):
        lines.append("| %d | %s | %s | %s | %s | %s | %s / %s |" % (
            n, ms(p[0][0]), ms(p[2][0]), ms(p[1][0]), ms(p[3][0]), ms(p[4][0]), mib(p[0][1]), mib(p[1][1])))
    lines += [
        "",
        "Targets at 100k rows: each within 2× curl: %s (submit %.2f×, fetch %.2f×); peak RSS ≤ 32 MiB" % (
            "met" if max(submit_ratio, fetch_ratio) <= 2 else "**not met**", submit_ratio, fetch_ratio),
        "and within 1 MiB of the 10k figure: %s. Submit builds every row's body, as a local run" % (
            "met" if flat else "**not met**"),
        "would, and writes the parts before it uploads them; curl only sends a file. Fetch",
        "reads every line, as jq does: %.2f× jq's time." % (p100[1][0] / p100[4][0]),
        "",
    ]
    if floor:
        lines += [
            "The floor under mume: reqwest alone copying the body to stdout, no parsing",
            "(`bench/reader`, `bench/run.sh --floor`). `blocking` is `reqwest::blocking`, as mume",
            "used it until 0.1.0; `inline` is the same client driven on the calling thread by a",
            "current-thread runtime, as mume uses it now. The reader writes and flushes each piece",
            "as it comes. Same server, same run:",
            "",
            "| measure | mume | reqwest blocking | reqwest inline | curl |",
            "|---|---|---|---|---|",
            "| 100k-chunk stream, read to close | %s | %s | %s | %s |" % (
                ms(streams[100000][0][0]), ms(floor["blocking"][0]), ms(floor["inline"][0]), ms(streams[100000][1][0])),
            "| 100k-chunk stream, one HTTP chunk per event | %s | %s | %s | %s |" % (
                ms(chunked[0][0]), ms(floor["blocking"][1]), ms(floor["inline"][1]), ms(chunked[1][0])),
            "| first token | %.3f ms | %.3f ms | %.3f ms | %.3f ms |" % (
                slow_mume["first"], floor["blocking"][2]["first"], floor["inline"][2]["first"], slow_curl["first"]),
            "| last byte to exit | %.3f ms | %.3f ms | %.3f ms | %.3f ms |" % (
                slow_mume["exit"], floor["blocking"][2]["exit"], floor["inline"][2]["exit"], slow_curl["exit"]),
            "",
        ]
    text = "\n".join(lines)
    # Hand-written analysis below the marker survives a new run.
    kept = ""
    if os.path.exists(args.out):
        old = open(args.out).read()
        if ANALYSIS_MARKER in old:
            kept = old[old.index(ANALYSIS_MARKER):]
    with open(args.out, "w") as f:
        f.write(text + ("\n" + kept if kept else ""))
    print(text)


if __name__ == "__main__":
    main()

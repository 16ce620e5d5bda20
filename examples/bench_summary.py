#!/usr/bin/python3
"""The table of examples/bench_all.sh: reads the logs of one run (each
benchmark script's own output, machine.txt, runs.txt) and prints the
machine, one Markdown table of figures against baselines and targets, and
the command. A figure missing from a log is n/a; nothing here fails.

    examples/bench_summary.py LOG_DIR [--write-docs docs/benchmarks.md]

--write-docs replaces what lies between the bench_all markers of the file
(inserting them, under their heading, before its first section if absent);
the rest of the file stays as it is.
"""
import pathlib
import re
import sys
import textwrap

BEGIN = "<!-- bench_all:begin -->"
END = "<!-- bench_all:end -->"
HEADING = "## Summary (examples/bench_all.sh)"
NA = "n/a"


def read(logs, name):
    path = logs / f"{name}.log"
    return path.read_text(errors="replace") if path.exists() else ""


def number(text):
    try:
        return float(text.replace(",", ""))
    except (AttributeError, ValueError):
        return None


def search(pattern, text, group=1):
    m = re.search(pattern, text, re.M)
    return number(m.group(group)) if m else None


def sections(text):
    """{header: body} for the "== header" sections of a script's output."""
    out, header = {}, ""
    for line in text.splitlines():
        if line.startswith("== "):
            header = line[3:]
            out[header] = ""
        else:
            out[header] = out.get(header, "") + line + "\n"
    return out


def section(text, words):
    for header, body in sections(text).items():
        if words in header:
            return body
    return ""


def loadgen(text):
    """The figures of one chatkit-loadgen report (the first in text)."""
    return {
        "users": search(r"^users (\d+)", text),
        "completed": search(r"^users \d+\s+completed (\d+)", text),
        "errors": search(r"errors (\d+)", text),
        "p50": search(r"^time to first token: p50 ([\d.]+) ms", text),
        "p99": search(r"^time to first token: .*p99 ([\d.]+) ms", text),
        "rss": search(r"^server peak RSS: ([\d.]+) MiB", text),
    }


def fmt(value, digits=0, unit=""):
    if value is None:
        return NA
    return f"{value:,.{digits}f}{unit}"


def signed(value, digits, unit=""):
    return NA if value is None else f"{'+' if value >= 0 else '−'}{fmt(abs(value), digits, unit)}"


def ratio(a, b, digits=2):
    return fmt(a / b, digits) if a is not None and b else NA


def verdict(ok, target):
    if ok is None:
        return f"{target}: {NA}"
    return f"{target}: {'met' if ok else '**not met**'}"


def at_least(value, bound):
    return None if value is None else value >= bound


def at_most(value, bound):
    return None if value is None else value <= bound


def health_rows(logs):
    rows = []
    for threads in (1, 2):
        text = read(logs, f"health-{threads}")
        ck = search(r"^chatkit-server \(threads=\d+\)\s*:.*-> median ([\d.]+) req/s", text)
        for shape, label, target in (("return 200", "`return 200`", None), ("matched", "matched", 0.9)):
            nginx = search(rf"^nginx {shape} \(\d+ worker\(s\)\)\s*:.*-> median ([\d.]+) req/s", text)
            m = re.search(rf"^ratio chatkit/nginx {shape}, per round:\s*(.*?) -> median ([\d.]+)", text, re.M)
            median = number(m.group(2)) if m else None
            shown = f"**{fmt(median, 2)}** (rounds {m.group(1)})" if m else NA
            rows.append((f"`/health` req/s vs nginx {label}, THREADS={threads}", fmt(ck), fmt(nginx), shown,
                         verdict(at_least(median, target), f"≥ {target:.2f}") if target else ""))
    return rows


def callgrind_rows(logs):
    text = read(logs, "callgrind")
    if not text:
        return []
    ck = search(r"^chatkit .*-> ([\d.]+) instructions per request", text)
    nginx = search(r"^nginx .*-> ([\d.]+) instructions per request", text)
    r = ck / nginx if ck is not None and nginx else None
    return [("instructions per `/health` vs nginx matched (callgrind, whole process, THREADS=1)",
             fmt(ck), fmt(nginx), fmt(r, 3), verdict(at_most(r, 1.0), "at most nginx's"))]


def auth_rows(logs):
    text = read(logs, "auth")
    figures = {}
    for backend in ("sqlite", "postgresql"):
        m = re.search(rf"^{backend}\s+session-check\s+(\S*) req/s \((\S*) transactions per 100\)"
                      rf"\s+analytics-event\s+(\S*) req/s", text, re.M)
        figures[backend] = [number(g) for g in m.groups()] if m else [None, None, None]
    (sq_check, _, sq_events), (pg_check, pg_tx, pg_events) = figures["sqlite"], figures["postgresql"]
    check_ratio = pg_check / sq_check if pg_check is not None and sq_check else None
    return [
        ("session-check req/s, PostgreSQL vs SQLite (THREADS=2)", f"{fmt(pg_check)} (PostgreSQL)",
         f"{fmt(sq_check)} (SQLite)", fmt(check_ratio, 2), verdict(at_least(check_ratio, 0.8), "≥ 0.80")),
        ("PostgreSQL transactions per 100 session checks", fmt(pg_tx, 2), "", "",
         verdict(at_most(pg_tx, 1.0), "≤ 1")),
        ("analytics-event req/s, PostgreSQL vs SQLite (THREADS=2)", f"{fmt(pg_events)} (PostgreSQL)",
         f"{fmt(sq_events)} (SQLite)", ratio(pg_events, sq_events), ""),
    ]


def ttft_rows(logs):
    text = read(logs, "ttft")
    direct = loadgen(section(text, "straight to the upstream"))
    rows = []
    for words, label in (("without a session", "no session"), ("as the widget asks", "widget path")):
        through = loadgen(section(text, words))
        for p in ("p50", "p99"):
            added = through[p] - direct[p] if through[p] is not None and direct[p] is not None else None
            target = verdict(at_most(added, 1.0), "< 1 ms added") if p == "p99" else ""
            rows.append((f"time to first token {p}, {label}, vs nginx upstream directly ({fmt(through['users'])} "
                         "answers)",
                         fmt(through[p], 2, " ms"), fmt(direct[p], 2, " ms"), f"{signed(added, 2, ' ms')} added"
                         if added is not None else NA, target))
    return rows


def streams_rows(logs):
    text = read(logs, "streams")
    rows = []
    for words, label, rss_target in (("1,000 concurrent", "1,000", None), ("10,000 concurrent", "10,000", 160)):
        s = loadgen(section(text, words))
        done = f"{fmt(s['completed'])} / {fmt(s['errors'])}"
        rows.append((f"{label} streams: completed / errors", done, "", "",
                     verdict(None if s["errors"] is None else s["errors"] == 0 and s["completed"] == s["users"],
                             "all completed, 0 errors")))
        rows.append((f"{label} streams: time to first token p50 / p99",
                     f"{fmt(s['p50'], 2)} / {fmt(s['p99'], 2)} ms", "", "", ""))
        mb = s["rss"] * 1.048576 if s["rss"] is not None else None
        rows.append((f"{label} streams: server peak RSS", f"{fmt(s['rss'], 1)} MiB ({fmt(mb)} MB)",
                     "", f"{fmt(mb / rss_target, 2)}× the target" if mb is not None and rss_target else "",
                     verdict(at_most(mb, rss_target), f"< {rss_target} MB") if rss_target else ""))
    return rows


def answers_rows(logs):
    """Per corpus, from the summary table bench_answers.sh ends with."""
    text = read(logs, "answers")
    rows = []
    for m in re.finditer(r"^\| (\S+) \| (development|validation) \| ([\d.]+) / ([\d.]+) \(([-+][\d.]+)\)", text, re.M):
        name, role, ours, fts, diff = m.group(1), m.group(2), number(m.group(3)), number(m.group(4)), number(m.group(5))
        target = verdict(at_least(diff, 0.03), "≥ +0.03") if role == "validation" else ""
        rows.append((f"MRR@5 vs SQLite FTS5 bm25, {name} ({role})", fmt(ours, 3), fmt(fts, 3), signed(diff, 3), target))
    mean = re.search(r"^Validation mean over (\d+) corpora: MRR@5 ([\d.]+) against FTS5's ([\d.]+)", text, re.M | re.I)
    if mean:
        ours, fts = number(mean.group(2)), number(mean.group(3))
        diff = ours - fts if ours is not None and fts is not None else None
        rows.append((f"MRR@5, mean of the {mean.group(1)} validation corpora", fmt(ours, 3), fmt(fts, 3),
                     signed(diff, 3), verdict(at_least(None if diff is None else round(diff, 3), 0.06), "≥ +0.06")))
    else:
        rows.append(("MRR@5, mean of the validation corpora", NA, NA, NA, ""))
    _, _, big = text.partition("== retrieval latency on ~10 MB")
    size = re.search(r"^corpus: (\S+)$", big, re.M)
    p99 = search(r"^retrieval \(search \+ relevance decision\).*p99 ([\d.]+) ms", big)
    rows.append((f"retrieval p99, nodejs-doc three times ({size.group(1).rstrip('M') + ' MiB' if size else NA})",
                 fmt(p99, 3, " ms"), "", "", verdict(at_most(p99, 10.0), "< 10 ms on 10 MB")))
    return rows


def machine(logs):
    path = logs / "machine.txt"
    out = {}
    if path.exists():
        for line in path.read_text().splitlines():
            key, _, value = line.partition(": ")
            out[key] = value
    return out


def runs(logs):
    path = logs / "runs.txt"
    out = []
    if path.exists():
        for line in path.read_text().splitlines():
            name, status, seconds, others, command = (line.split(" ", 4) + [""] * 5)[:5]
            out.append((name, int(status) if status.isdigit() else -1, seconds, others, command))
    return out


def duration(seconds):
    s = int(number(seconds) or 0)
    return f"{s // 60} min {s % 60:02d} s"


def shared(done):
    """Cores other processes used while the scripts ran, on average."""
    timed = [(number(seconds), number(others)) for _, _, seconds, others, _ in done]
    timed = [(s, o) for s, o in timed if s and o is not None]
    total = sum(s for s, _ in timed)
    return fmt(sum(s * o for s, o in timed) / total, 2) if total else NA


def wrap(text, indent=""):
    return textwrap.fill(text, 76, subsequent_indent=indent, break_long_words=False, break_on_hyphens=False)


def summary(logs):
    m = machine(logs)
    done = runs(logs)
    lines = []
    cpu = m.get("cpu", NA) + (f" ({m['hypervisor']})" if m.get("hypervisor") else "")
    quick = "--quick" in m.get("command", "")
    lines.append(wrap(f"Generated {m.get('started', NA)} by `{m.get('command', 'examples/bench_all.sh')}` at "
                      f"commit {m.get('commit', NA)}; the run took {duration(m.get('seconds'))}."))
    lines.append("")
    lines.append(wrap(f"Machine: {cpu}, {m.get('cores', NA)} cores, {m.get('memory', NA)}; {m.get('os', NA)}, "
                 f"Linux {m.get('kernel', NA)}; {m.get('compiler', NA)} (`--buildtype=release`); "
                 f"nginx {m.get('nginx', NA)}, wrk {m.get('wrk', NA)}, PostgreSQL {m.get('postgresql', NA)}"
                 + (f", {m['valgrind']}" if m.get("valgrind") else "")
                 + f". Load average before the run {m.get('load average at start', NA)}; while the benchmarks"
                 f" ran, other processes used {shared(done)} of its {m.get('cores', NA)} cores on average"
                 " (the machine's CPU time less the scripts'; per script below)."))
    if m.get("note"):
        lines += ["", wrap(m["note"])]
    if quick:
        lines += ["", "**A --quick run: short durations, a smoke test of the scripts; do not quote its figures.**"]
    lines += ["", "| benchmark | chatkit | baseline | ratio or difference | target |", "|---|---|---|---|---|"]
    for row in (health_rows(logs) + callgrind_rows(logs) + auth_rows(logs) + ttft_rows(logs)
                + streams_rows(logs) + answers_rows(logs)):
        lines.append("| " + " | ".join(cell if cell else "–" for cell in row) + " |")
    lines.append("")
    lines.append(wrap("Each row is one run of the script in the list below (its output in the log folder the "
                      "script prints); medians of rounds where the script alternates servers. The sections below "
                      "describe each benchmark and hold earlier runs. Run it again with `examples/bench_all.sh` "
                      "(`--write-docs` replaces this block; `--quick` is a smoke run whose figures are not to be "
                      "quoted)."))
    lines.append("")
    for name, status, seconds, others, command in done:
        state = "" if status == 0 else f" — **failed, exit {status}**"
        lines.append(wrap(f"- `{command}` ({duration(seconds)}; other processes used {others} of "
                          f"{m.get('cores', NA)} cores){state}", "  "))
    return "\n".join(lines) + "\n"


def write_docs(path, block):
    text = path.read_text()
    inner = f"{BEGIN}\n{block}{END}"
    if BEGIN in text and END in text:
        head, _, rest = text.partition(BEGIN)
        _, _, tail = rest.partition(END)
        text = head + inner + tail
    else:
        at = text.find("\n## ")
        at = len(text) if at < 0 else at + 1
        text = text[:at] + f"{HEADING}\n\n{inner}\n\n" + text[at:]
    path.write_text(text)


def main():
    if len(sys.argv) not in (2, 4) or (len(sys.argv) == 4 and sys.argv[2] != "--write-docs"):
        print("usage: bench_summary.py LOG_DIR [--write-docs FILE]", file=sys.stderr)
        return 64
    logs = pathlib.Path(sys.argv[1])
    block = summary(logs)
    print(block, end="")
    if len(sys.argv) == 4:
        write_docs(pathlib.Path(sys.argv[3]), block)
        print(f"\nwritten to {sys.argv[3]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""One table per corpus from examples/bench_answers.sh's log: chatkit
against SQLite FTS5 bm25() over all of a corpus's questions, the targets of
docs/answer-quality.md, and the mean of the validation corpora.
    bench_answers_summary.py LOG"""
import re
import sys

ROW = re.compile(
    r"^\| (chatkit|FTS5 bm25)\s+(\S+)\s*\| *([\d.]+) \| *([\d.]+) \| *([\d.]+) \| *\d+% \((\d+)/(\d+)\) \| *\d+% "
    r"\| (\d+)/(\d+) \(near (\d+)/(\d+)\) \| (\d+) \| (\d+)/(\d+) \| (\d+) \|")

FIRST = re.compile(r"^\| first stage\s+(\S+)\s*\| *([\d.]+) \| *([\d.]+) \| *([\d.]+) \|$")
SWEEP = re.compile(r"^answers with a leak: (\d+) of (\d+) sections")


def corpora(text):
    """(name, role, {method: row of the last table line}) per corpus."""
    out = []
    for block in text.split("\n== corpus ")[1:]:
        head = block.splitlines()[0]
        name, role = head.split(" ", 1)[0], head.split("(", 1)[1].split(",", 1)[0]
        rows = {}
        for line in block.splitlines():
            first = FIRST.match(line)
            if first:
                rows["first"] = first
            swept = SWEEP.match(line)
            if swept:
                rows["sweep"] = swept
            m = ROW.match(line)
            if m:  # the "all" row, when there is one, comes last and wins
                rows[m.group(1)] = m
        if rows:
            out.append((name, role, rows))
    return out


def numbers(m):
    return {
        "mrr": float(m.group(5)), "r5": float(m.group(4)), "facts": int(m.group(6)), "answerable": int(m.group(7)),
        "out_refused": int(m.group(8)), "out": int(m.group(9)), "near_refused": int(m.group(10)),
        "near": int(m.group(11)), "in_refused": int(m.group(12)), "leaks": int(m.group(15)),
    }


def first_stage(rows):
    m = rows.get("first")
    return f"{float(m.group(4)):.3f}, {float(m.group(3)):.2f}" if m else "n/a"


def sweep(rows):
    m = rows.get("sweep")
    return f"{m.group(1)} of {m.group(2)}" if m else "n/a"


def main():
    text = open(sys.argv[1], encoding="utf-8").read()
    print("| corpus | role | MRR@5 ours / FTS5 | R@5 ours / FTS5 | first stage alone: MRR@5, R@5 | facts | "
          "answerable refused | out-of-scope refused (near) | leaks | every section asked alone: answers with a leak |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    validation = []
    for name, role, rows in corpora(text):
        if "chatkit" not in rows or "FTS5 bm25" not in rows:
            continue
        o, f = numbers(rows["chatkit"]), numbers(rows["FTS5 bm25"])
        pct = lambda a, b: f"{100 * a / b:.0f}%" if b else "n/a"
        print(f"| {name} | {role} | {o['mrr']:.3f} / {f['mrr']:.3f} ({o['mrr'] - f['mrr']:+.3f}) | "
              f"{o['r5']:.2f} / {f['r5']:.2f} | {first_stage(rows)} | {pct(o['facts'], o['answerable'])} | "
              f"{o['in_refused']}/{o['answerable']} ({pct(o['in_refused'], o['answerable'])}) | "
              f"{o['out_refused']}/{o['out']} ({pct(o['out_refused'], o['out'])}; near {o['near_refused']}/{o['near']}) "
              f"| {o['leaks']} | {sweep(rows)} |")
        if role == "validation":
            validation.append((o, f))
    if validation:
        n = len(validation)
        mean = lambda key, which: sum(v[which][key] for v in validation) / n
        share = lambda key, total: sum(v[0][key] for v in validation) / max(1, sum(v[0][total] for v in validation))
        print(f"\nvalidation mean over {n} corpora: MRR@5 {mean('mrr', 0):.3f} against FTS5's {mean('mrr', 1):.3f} "
              f"({mean('mrr', 0) - mean('mrr', 1):+.3f}; target +0.06); R@5 {mean('r5', 0):.3f} against "
              f"{mean('r5', 1):.3f}; facts {100 * share('facts', 'answerable'):.0f}% (target 60%); answerable refused "
              f"{100 * share('in_refused', 'answerable'):.1f}% (target 2%); out-of-scope refused "
              f"{100 * share('out_refused', 'out'):.0f}% (target 85%)")


main()

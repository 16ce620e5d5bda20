#!/usr/bin/env python3
"""Trains the second stage of retrieval (src/chat/search/reranker.cpp).

    chatkit-bench-answers CORPUS QUESTIONS.json... --features CORPUS_NAME.jsonl   (once per corpus)
    examples/train_ranker.py NODEJS.jsonl RUST.jsonl ... [--balance] [--cv]

A linear model over the features of each first-stage candidate, trained
pairwise (each gold section against each other candidate of its question,
logistic loss, L2), then scaled so that its output estimates the chance that
a section answers (Platt scaling, fitted on the same training questions).
Each file is one corpus (its name: the file's stem). With --balance each
corpus weighs the same in training whatever its number of questions, and
each question the same within it; without, every gold/other pair weighs the
same. Prints the weights in the order of `enum feature`, ready for
reranker.cpp. With --cv, first reports MRR@5 with each corpus left out of
training in turn: what the model does on a corpus it has not seen. Plain
Python, no dependencies.

The weights in reranker.cpp came from the Node.js sets alone, without
--balance. Trained on the six development corpora with --balance, each left
out in turn gained 0.004 MRR@5 on average, but the validation corpora lost
0.006 on average and Material for MkDocs 0.053 (docs/answer-quality.md, 2026-12-08).
"""
import json
import math
import sys

L2 = 0.01
EPOCHS = 300
RATE = 0.5


def load(paths):
    queries = []
    for path in paths:
        corpus = path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
        with open(path) as lines:
            rows = [json.loads(line) for line in lines]
        for d in rows:
            if not d["in_scope"]:
                continue  # nothing to rank: the relevance decision's business
            xs = [c["features"] for c in d["candidates"]]
            ys = [1 if c["gold"] else 0 for c in d["candidates"]]
            queries.append((corpus, xs, ys))
    return queries


def question_weights(queries, balance):
    """Per question: 1 / its corpus's number of questions, or None when every pair weighs the same."""
    if not balance:
        return [None] * len(queries)
    count = {}
    for corpus, _, _ in queries:
        count[corpus] = count.get(corpus, 0) + 1
    return [1 / count[corpus] for corpus, _, _ in queries]


def standardise(queries):
    rows = [x for _, xs, _ in queries for x in xs]
    if not rows:
        sys.exit("no in-scope question with candidates to train on")
    n = len(rows[0])
    mean = [sum(r[i] for r in rows) / len(rows) for i in range(n)]
    std = [math.sqrt(sum((r[i] - mean[i]) ** 2 for r in rows) / len(rows)) or 1.0 for i in range(n)]
    return mean, std


def train_pairwise(queries, mean, std, balance):
    n = len(mean)
    pairs = []
    for (_, xs, ys), weight in zip(queries, question_weights(queries, balance)):
        z = [[(x[i] - mean[i]) / std[i] for i in range(n)] for x in xs]
        gold = [z[k] for k, y in enumerate(ys) if y]
        other = [z[k] for k, y in enumerate(ys) if not y]
        share = 1.0 if weight is None else weight / max(1, len(gold) * len(other))
        for g in gold:
            for o in other:
                pairs.append(([g[i] - o[i] for i in range(n)], share))
    w = [0.0] * n
    if not pairs:
        return w
    total = sum(share for _, share in pairs)
    for _ in range(EPOCHS):
        grad = [L2 * wi for wi in w]
        for d, share in pairs:
            s = sum(wi * di for wi, di in zip(w, d))
            p = 1 / (1 + math.exp(min(50, s)))  # d loss / d s = -sigmoid(-s)
            for i in range(n):
                grad[i] -= p * d[i] * share / total
        w = [wi - RATE * gi for wi, gi in zip(w, grad)]
    return w


def raw_weights(w, mean, std):
    """Weights and bias over the unstandardised features."""
    weights = [wi / si for wi, si in zip(w, std)]
    bias = -sum(wi * mi / si for wi, mi, si in zip(w, mean, std))
    return weights, bias


def calibrate(queries, weights, bias):
    """a, b so that sigmoid(a * score + b) is the chance a candidate is gold."""
    points = [(sum(wi * xi for wi, xi in zip(weights, x)) + bias, y)
              for _, xs, ys in queries for x, y in zip(xs, ys)]
    a, b = 1.0, 0.0
    for _ in range(2000):
        ga = gb = 0.0
        for s, y in points:
            p = 1 / (1 + math.exp(-max(-50, min(50, a * s + b))))
            ga += (p - y) * s
            gb += p - y
        a -= 0.5 * ga / len(points)
        b -= 0.5 * gb / len(points)
    return a, b


def mrr5(queries, weights, bias):
    total = 0.0
    for _, xs, ys in queries:
        scored = sorted(range(len(xs)), key=lambda k: -(sum(w * x for w, x in zip(weights, xs[k])) + bias))
        for rank, k in enumerate(scored[:5]):
            if ys[k]:
                total += 1 / (rank + 1)
                break
    return total / len(queries) if queries else 0.0


def first_stage_mrr5(queries):
    total = 0.0
    for _, _, ys in queries:
        for rank, y in enumerate(ys[:5]):
            if y:
                total += 1 / (rank + 1)
                break
    return total / len(queries) if queries else 0.0


def fit(queries, balance):
    mean, std = standardise(queries)
    weights, bias = raw_weights(train_pairwise(queries, mean, std, balance), mean, std)
    a, b = calibrate(queries, weights, bias)
    return [a * w for w in weights], a * bias + b


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    queries = load([a for a in sys.argv[1:] if not a.startswith("--")])
    balance = "--balance" in sys.argv
    if "--cv" in sys.argv:
        sets = sorted({s for s, _, _ in queries})
        print("left-out corpus        first stage  reranked")
        for left in sets:
            train = [q for q in queries if q[0] != left]
            test = [q for q in queries if q[0] == left]
            weights, bias = fit(train, balance)
            print(f"{left:24} {first_stage_mrr5(test):.3f}        {mrr5(test, weights, bias):.3f}")
    weights, bias = fit(queries, balance)
    print(f"in-sample MRR@5 over {len(queries)} questions: first stage {first_stage_mrr5(queries):.3f}, "
          f"reranked {mrr5(queries, weights, bias):.3f}")
    print("bias", f"{bias:.4f}")
    print("weights", " ".join(f"{w:.4f}" for w in weights))


if __name__ == "__main__":
    main()

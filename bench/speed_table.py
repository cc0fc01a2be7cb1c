"""The table `python -m bench.speed` prints (docs/performance-history.md quotes its runs)."""

from __future__ import annotations

from typing import Any


def summary_table(r: dict[str, Any]) -> str:
    ingest, scan, abc = r["ingest"], r["scan"], r["check_abc"]
    stage = ingest["stage_sentences_per_s"]
    rows = [
        ("measure", "ours", "target (issue 4)"),
        (
            f"ingest, end to end ({ingest['sentences']:,} sentences)",
            f"{ingest['sentences_per_s']:.0f} sent/s",
            ">= 500 sent/s",
        ),
    ]
    rows += [
        (f"  stage: {name.replace('_', ' ')}", f"{rate:.0f} sent/s", "")
        for name, rate in stage.items()
        if rate is not None
    ]
    rows += [
        ("ingest peak RSS", f"{ingest['peak_rss_mib']:.0f} MiB", ""),
        (
            f"nightly scan ({scan['pairs_judged']:,} pairs, {scan['judge']})",
            f"{scan['seconds']:.0f} s, {scan['pairs_per_s']:.0f} pairs/s",
            "< 300 s for 35k sentences",
        ),
        ("scan peak RSS", f"{scan['peak_rss_mib']:.0f} MiB", ""),
    ]
    for check in [abc, *r["check_grown"]]:
        rows.append(
            (
                f"/v1/check p50/p95/p99 at {check['sentences']:,} sentences",
                f"{check['p50_ms']:.0f}/{check['p95_ms']:.0f}/{check['p99_ms']:.0f} ms",
                "p95 <= 100 ms at 1M" if check is not abc else "",
            )
        )
        rows.append(
            (
                "  worker peak RSS; disk per 1M sentences",
                f"{check['worker_peak_rss_mib']:.0f} MiB; "
                f"{check['disk_gib_per_million_sentences']:.2f} GiB",
                "index memory <= 0.5 GB per 1M",
            )
        )
    if slope := memory_per_million(r):
        rows.append(("worker memory per 1M sentences (slope)", f"{slope:.0f} MiB", "<= 477 MiB"))
    for growth in r["check_grown"]:
        g = growth["growth"]
        rows.append(
            (
                f"grow to {growth['target']:,} (precomputed vectors, store only)",
                f"{g['store_sentences_per_s']:.0f} sent/s",
                "",
            )
        )
    fl = r["floor"]
    emb, mm = fl["embedding_model"], fl["matmul"]
    rows += [
        (
            "matmul float32 GFLOP/s, numpy / torch (median)",
            f"{mm['numpy']['median_gflops']:.0f} / {mm['torch']['median_gflops']:.0f}",
            "",
        ),
        (
            f"embed floor ({emb['gflop_per_sentence']:.2f} GFLOP/sent, {emb['mean_tokens']} tok)",
            f"{emb['floor_sentences_per_s']:.0f} sent/s",
            "",
        ),
        ("embed measured / floor", f"{100 * emb['fraction_of_floor']:.0f} %", ""),
    ]
    nli = fl.get("nli_model", {})
    if "gflop_per_pair" in nli:
        int8_floor, fp32_floor = nli["floor_pairs_per_s_int8"], nli["floor_pairs_per_s_fp32"]
        measured, fraction = nli["measured_pairs_per_s"], nli["fraction_of_int8_floor"]
        rows += [
            (
                "matmul int8 GOP/s (onnxruntime, median)",
                f"{fl['int8_matmul']['median_gops']:.0f}",
                "",
            ),
            (
                f"NLI floor ({nli['gflop_per_pair']:.2f} GFLOP/pair, {nli['mean_tokens']} tok)",
                f"int8 {int8_floor:.0f}, fp32 {fp32_floor:.0f} pairs/s",
                "",
            ),
            (
                "NLI measured (one reading) / int8 floor",
                f"{measured:.0f} pairs/s, {100 * fraction:.0f} %",
                "",
            ),
        ]
    width = max(len(row[0]) for row in rows)
    lines = [f"{a:<{width}}  {b:>24}  {c}" for a, b, c in rows]
    start, end = r["load_average_at_start"][1], r["load_average_at_end"][1]
    note = f"(whole run {r['seconds']:.0f} s; {r['note']}; 5-min load {start:.1f} -> {end:.1f})"
    return "\n".join([*lines, note])


def memory_per_million(r: dict[str, Any]) -> float | None:
    """Worker RSS growth per million sentences, from the smallest to the largest index."""
    checks = [r["check_abc"], *r["check_grown"]]
    low, high = checks[0], checks[-1]
    added = high["sentences"] - low["sentences"]
    if added <= 0:
        return None
    return float((high["worker_peak_rss_mib"] - low["worker_peak_rss_mib"]) / added * 1e6)

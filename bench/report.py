"""The benchmark's table: one row per metric, with its target and PASS/FAIL."""


def _value(metric) -> str:
    value = metric["value"]
    unit = metric["unit"]
    if isinstance(value, float):
        text = f"{value:,.3f}" if unit == "× floor" or (unit == "" and value < 10) else f"{value:,.1f}"
    else:
        text = f"{value:,}"
    return f"{text} {unit}".strip()


def table(results: dict) -> str:
    size = results["size"]
    conditions = results["conditions"]
    lines = [
        f"OCOP Portal benchmark — {size['products']:,} products, {size['producers']:,} producers",
        f"machine: {conditions['cpus']} CPUs, load average {conditions['load_average_before']} before, "
        f"{conditions.get('load_average_after')} after; cache: {conditions['cache']}; "
        f"load generator: {conditions.get('load_generator', '-')}, {conditions['connections']} connections, "
        f"{conditions['rounds']} × {conditions['duration_s']:g} s page/floor alternations",
    ]
    data = results.get("data") or {}
    if data.get("distinct_words"):
        lines.append(
            f"data: {data.get('published', 0):,} published products; descriptions use {data['distinct_words']:,} distinct "
            f"words, {data.get('distinct_folded_words', 0):,} once search folds the tones"
        )
    lines.append("")
    rows = [("metric", "value", "target", "result")]
    for metric in results["metrics"]:
        verdict = "" if metric["pass"] is None else ("PASS" if metric["pass"] else "FAIL")
        rows.append((metric["metric"], _value(metric), metric["target"] or "", verdict))
    widths = [max(len(str(row[i])) for row in rows) for i in range(4)]
    for index, row in enumerate(rows):
        lines.append(
            "  ".join(
                str(cell).ljust(widths[i]) if i == 0 else str(cell).rjust(widths[i]) for i, cell in enumerate(row)
            ).rstrip()
        )
        if index == 0:
            lines.append("  ".join("-" * width for width in widths))
    if results.get("notes"):
        lines.append("")
        lines.extend(f"note: {note}" for note in results["notes"])
    judged = [m for m in results["metrics"] if m["pass"] is not None]
    failed = [m for m in judged if not m["pass"]]
    lines.append("")
    lines.append(
        f"{len(judged) - len(failed)} of {len(judged)} targets met"
        + (f"; missed: {', '.join(m['metric'] for m in failed)}" if failed else ".")
    )
    return "\n".join(lines)

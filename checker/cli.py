"""The `checker` command: parse arguments, call the Checker, print. Nothing else lives here.

Every `CheckerError` becomes one line on stderr and the error's exit code (see
`checker.errors`); `ingest` exits 2 when some inputs had problems (the rest are stored).
"""

from __future__ import annotations

import getpass
import json
import os
import shlex
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from tqdm import tqdm

from checker import __version__, serialize
from checker.errors import CheckerError
from checker.ingest import Problem, discover, read_file
from checker.report import CHART_RUNS, FORMATS, ReportHeader, plural, render, side_note
from checker.report.text import decision
from checker.service import Checker, CheckResult
from checker.settings import ENV_PREFIX, Settings
from checker.store import audit as audit_log
from checker.store.database import now
from checker.store.files import write_text_atomic
from checker.types import DISMISS_REASONS, Document, Passage, ReviewState

if TYPE_CHECKING:
    from checker.cluster import RayCluster


class _Group(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CheckerError as exc:
            click.echo(f"error: {exc.detail}", err=True)
            ctx.exit(exc.exit_code)


@click.group(cls=_Group)
@click.version_option(__version__, prog_name="checker")
@click.option(
    "--set",
    "assignments",
    multiple=True,
    metavar="NAME=VALUE",
    help="Override any setting for this run (names in the README's Configuration table).",
)
@click.pass_context
def main(ctx: click.Context, assignments: tuple[str, ...]) -> None:
    """Find sentences in different news reports that disagree."""
    ctx.obj = list(assignments)


def _index_option(command: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--index",
        type=click.Path(path_type=Path, file_okay=False),
        help=f"Index directory [env {ENV_PREFIX}INDEX; default indexes/default].",
    )(command)


def _ray_option(command: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--ray",
        "ray_address",
        metavar="ADDRESS",
        help=f"Embed, analyse and judge on the Ray cluster whose head is at ADDRESS (HOST:PORT) "
        f"[env {ENV_PREFIX}RAY_ADDRESS; default: in this process].",
    )(command)


def _cluster(settings: Settings) -> RayCluster | None:
    """The Ray cluster the settings name, joined before the index is opened (so that an
    unreachable one leaves the index as it was); None when they name none."""
    if not settings.ray_address:
        return None
    from checker.cluster import connect

    return connect(settings)


def _settings(ctx: click.Context, **flags: Any) -> Settings:
    """Defaults, the environment, `--set`, then the command's own flags (those given)."""
    values = Settings.parse_assignments(ctx.obj or [])
    values.update({name: value for name, value in flags.items() if value is not None})
    return Settings.from_env(**values)


def _cli_user() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no name for this uid (e.g. in a container)
        return f"cli:uid{os.getuid()}"


def _acting(action: str) -> Any:
    """The audit log names the command line's writes after the user who ran them."""
    return audit_log.acting(_cli_user(), action)


def _progress(total: int, unit: str, desc: str) -> tqdm[Any]:
    # disable=None: a bar on a terminal, silence under cron or in a pipe.
    return tqdm(total=total, unit=unit, desc=desc, disable=None, file=sys.stderr)


def _upgrade_analyses(checker: Checker, action: str) -> None:
    """Analyse the sentences of an index built before sentence analysis (or by an older
    version of it) first, with a bar of its own: on a large index it takes minutes, which
    the command's own bar would not show."""
    missing = checker.store.unanalysed_count()
    if missing:
        with _progress(missing, "sentence", "analyse") as bar, _acting(action):
            checker.upgrade_analyses(progress=bar.update)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@_index_option
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@_ray_option
@click.pass_context
def ingest(
    ctx: click.Context,
    paths: tuple[Path, ...],
    index: Path | None,
    as_json: bool,
    ray_address: str | None,
) -> None:
    """Add files and folders (.txt .md .html .json .jsonl) to the index."""
    settings = _settings(ctx, index=index, ray_address=ray_address)
    files = discover(paths)
    checker = Checker.from_settings(settings, cluster=_cluster(settings))
    _upgrade_analyses(checker, "documents.add")
    with _progress(len(files), "file", "ingest") as bar, _acting("documents.add"):
        summary = checker.ingest(_read_all(files, settings.max_document_chars, bar.update))
    for problem in summary.problems:
        click.echo(f"problem: {problem.origin}: {problem.message}", err=True)
    click.echo(json.dumps(serialize.ingest_summary(summary)) if as_json else summary.line())
    ctx.exit(2 if summary.problems else 0)


def _read_all(
    files: Sequence[Path], max_chars: int, advance: Callable[[int], object]
) -> Iterator[Document | Problem]:
    for path in files:
        yield from read_file(path, max_chars)
        advance(1)


@main.command()
@click.argument("document_id")
@_index_option
@click.pass_context
def delete(ctx: click.Context, document_id: str, index: Path | None) -> None:
    """Remove a document (a retraction): its sentences, vectors and findings go."""
    checker = Checker.from_settings(_settings(ctx, index=index), create=False)
    with _acting("documents.delete"):
        deleted = checker.delete(document_id)
    if not deleted:
        click.echo(f"error: no document with id {document_id!r}", err=True)
        ctx.exit(3)
    click.echo(f"deleted {document_id}")


@main.command()
@click.argument("claim")
@_index_option
@click.option("-k", type=int, help="Passages to consider [default: setting k].")
@click.option("--json", "as_json", is_flag=True, help="Print the API's JSON.")
@click.pass_context
def check(ctx: click.Context, claim: str, index: Path | None, k: int | None, as_json: bool) -> None:
    """Find passages that support or contradict CLAIM."""
    checker = Checker.from_settings(_settings(ctx, index=index), create=False)
    result = checker.check(claim, k)
    if as_json:
        click.echo(json.dumps(serialize.check_result(result), indent=2, ensure_ascii=False))
    else:
        click.echo(_readable(result))


def _readable(result: CheckResult) -> str:
    lines = [f"Claim: {result.claim}"]
    for title, passages in (
        ("CONTRADICTING", result.contradicting),
        ("CHANGED OVER TIME", result.changed),
        ("SUPPORTING", result.supporting),
        ("RELATED", result.related),
    ):
        lines += ["", f"{title} ({len(passages)})"]
        lines += [line for p in passages for line in _passage_lines(p, title != "RELATED")]
    lines += ["", f"took {result.took_ms:.0f} ms"]
    return "\n".join(lines)


def _passage_lines(p: Passage, judged: bool) -> list[str]:
    """Judged passages lead with their confidence, related ones with their similarity."""
    doc = p.hit.document
    where = " · ".join(x for x in (p.hit.sentence.id, doc.title, doc.source, doc.published) if x)
    score = f"{p.judgement.confidence:.0%}" if judged else f"~{p.hit.similarity:.2f}"
    lines = [f"  [{score}] {p.hit.sentence.text}", f"         {where}"]
    if note := side_note(p.hit):  # who asserts it, and the day it speaks of
        lines.append(f"         {note}")
    if judged:
        lines.append(f"         similarity {p.hit.similarity:.2f}")
        lines += [f"         {r.kind}: {r.detail}" for r in p.judgement.reasons]
    return lines


@main.command()
@_index_option
@click.option("--since", help="Only findings found since then: a date, 'yesterday', or last-run.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="md", show_default=True)
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), help="Write here.")
@click.option("--limit", type=click.IntRange(min=1), default=500, show_default=True)
@click.option(
    "--review",
    "shown",
    type=click.Choice([*(s.value for s in ReviewState), "all"]),
    multiple=True,
    help="List findings with these editors' decisions (repeatable) [default: open, confirmed].",
)
@_ray_option
@click.pass_context
def report(
    ctx: click.Context,
    index: Path | None,
    since: str | None,
    fmt: str,
    out: Path | None,
    limit: int,
    shown: tuple[str, ...],
    ray_address: str | None,
) -> None:
    """Scan new and changed documents, then print the cross-document discrepancy report.

    md, json and html are the briefing (new contradictions by source, near-duplicates
    grouped, a chart of the last runs, resolved ones at the end); claimreview is a JSON
    array of schema.org ClaimReview objects, one per finding.
    """
    settings = _settings(ctx, index=index, ray_address=ray_address)
    cluster = _cluster(settings)
    checker = Checker.from_settings(settings, create=False, cluster=cluster)
    if cluster is None:
        checker.load_judge()  # a model that cannot load fails before the scan starts
    previous_run = checker.store.last_scan()
    since_value = _since(since, previous_run)
    pending = len(checker.store.pending_documents())
    _upgrade_analyses(checker, "scan")
    with _progress(pending, "doc", "scan") as bar, _acting("scan"):
        summary = checker.scan(progress=bar.update)
    states = _shown_states(shown)
    findings, _ = checker.findings(limit=limit, since=since_value, order="confident", review=states)
    # Resolved since --since when given, else since the previous run: what changed overnight.
    resolved_since = since_value or previous_run
    counts = checker.store.counts()
    header = ReportHeader(
        generated_at=now("seconds"),
        index=str(settings.index),
        documents=counts["documents"],
        sentences=counts["sentences"],
        scan=summary.line(),
        since=since_value,
        new_since=summary.started_at,
        resolved_since=resolved_since,
        reviews=checker.store.review_counts(since=since_value),
        shown=tuple(s.value for s in states or ()),
    )
    text = render(
        findings,
        header,
        fmt,
        resolved=checker.resolved(since=resolved_since, limit=limit),
        history=checker.scan_history(runs=CHART_RUNS),
    )
    if out is None:
        click.echo(text, nl=False)
    else:
        write_text_atomic(out, text)
        click.echo(f"{summary.line()}; report written to {out}", err=True)


def _shown_states(shown: tuple[str, ...]) -> list[ReviewState] | None:
    """The review states a report lists: open and confirmed unless told; None for all."""
    if "all" in shown:
        return None
    return [ReviewState(s) for s in shown] or [ReviewState.CONFIRMED, ReviewState.OPEN]


@main.command()
@click.argument("finding_id", type=int)
@click.argument("state", metavar="DECISION", type=click.Choice([s.value for s in ReviewState]))
@_index_option
@click.option("--reason", type=click.Choice(DISMISS_REASONS), help="Why it was dismissed.")
@click.option("--note", help="Free text kept with the decision.")
@click.pass_context
def review(
    ctx: click.Context,
    finding_id: int,
    state: str,
    index: Path | None,
    reason: str | None,
    note: str | None,
) -> None:
    """Confirm or dismiss finding FINDING_ID (DECISION: open, confirmed or dismissed).

    The decision holds while neither sentence changes: a dismissed pair found again by a
    later scan stays dismissed and is not reported as new."""
    checker = Checker.from_settings(_settings(ctx, index=index), create=False)
    with _acting("discrepancies.review"):
        finding = checker.review(finding_id, ReviewState(state), _cli_user(), reason, note)
    click.echo(f"discrepancy {finding.id}: {decision(finding)}")


@main.group()
def feedback() -> None:
    """Editors' decisions on findings, as labelled pairs."""


@feedback.command("export")
@_index_option
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), help="Write here.")
@click.pass_context
def feedback_export(ctx: click.Context, index: Path | None, out: Path | None) -> None:
    """Every confirmed or dismissed finding as JSON Lines (format: README, "Feedback")."""
    checker = Checker.from_settings(_settings(ctx, index=index), create=False)
    lines = [json.dumps(d, ensure_ascii=False) + "\n" for d in checker.store.decisions()]
    if out is None:
        click.echo("".join(lines), nl=False)
    else:
        write_text_atomic(out, "".join(lines))
        click.echo(f"{plural(len(lines), 'decision')} written to {out}", err=True)


def _since(value: str | None, last_scan: str | None) -> str | None:
    """An ISO timestamp from a date, a relative phrase, or `last-run`."""
    if value is None:
        return None
    if value == "last-run":
        return last_scan
    import dateparser

    parsed = dateparser.parse(value, settings={"TIMEZONE": "UTC", "RETURN_AS_TIMEZONE_AWARE": True})
    if parsed is None:
        raise click.BadParameter(f"cannot read {value!r} as a date", param_hint="--since")
    return parsed.isoformat(timespec="seconds")


@main.command()
@_index_option
@click.pass_context
def status(ctx: click.Context, index: Path | None) -> None:
    """Print what the index holds."""
    checker = Checker.from_settings(_settings(ctx, index=index), create=False)
    counts = checker.store.counts()
    click.echo(json.dumps({"index": str(checker.settings.index), **counts}, indent=2))


@main.command()
@_index_option
@click.option("--host", help="Bind address [setting host].")
@click.option("--port", type=int, help="Port [setting port].")
@click.option("--workers", type=int, help="gunicorn workers [setting workers].")
@click.option("--threads", type=int, help="Threads per worker [setting threads].")
@click.pass_context
def serve(ctx: click.Context, index: Path | None, **flags: Any) -> None:
    """Serve the HTTP API under gunicorn (replaces this process)."""
    settings = _settings(ctx, index=index, **flags)
    checker = Checker.from_settings(settings)
    checker.load_judge()  # a model that cannot load fails here, clearly, before gunicorn starts
    checker.close()
    env = dict(os.environ)
    for name, _, _, _ in Settings.describe():
        env[ENV_PREFIX + name.upper()] = str(getattr(settings, name))
    argv = [
        sys.executable,
        "-m",
        "gunicorn",
        "--bind",
        f"{settings.host}:{settings.port}",
        "--workers",
        str(settings.workers),
        "--threads",
        str(settings.threads),
        "--timeout",
        "120",
        "--access-logfile",
        "-",
        "checker.web:create_app()",
    ]
    click.echo(
        f"serving {settings.index} on http://{settings.host}:{settings.port}: "
        + shlex.join(argv[2:]),
        err=True,
    )
    os.execvpe(argv[0], argv, env)


@main.command("train-nli")
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), required=True)
@click.option(
    "--max-steps",
    type=click.IntRange(min=1),
    help="Stop after this many steps (the learning-rate schedule ends there too).",
)
@click.option("--epochs", type=click.IntRange(min=1), default=1, show_default=True)
@click.option("--limit-pairs", type=click.IntRange(min=1), help="Train on a seeded sample.")
@click.option("--resume", is_flag=True, help="Continue from the last checkpoint in --out.")
@click.option(
    "--data",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("../shared/nli-train"),
    show_default=True,
)
@click.option(
    "--corpus",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("../shared/corpora/abc"),
    show_default=True,
    help="News sentences for synthetic pairs.",
)
@click.option("--synthetic-pairs", type=click.IntRange(min=0), default=8000, show_default=True)
@click.option("--seed", type=int, default=13, show_default=True)
@click.option(
    "--learning-rate", type=click.FloatRange(min=0, min_open=True), default=3e-5, show_default=True
)
@click.option("--batch-size", type=click.IntRange(min=1), default=32, show_default=True)
@click.option(
    "--bucket/--no-bucket", default=True, show_default=True, help="Length-bucketed batches."
)
@click.option("--bf16", is_flag=True, help="bf16 autocast (measure: not every CPU gains).")
@click.option("--device", default="cpu", show_default=True, help="torch device, e.g. cuda.")
@click.option(
    "--freeze-embeddings", is_flag=True, help="Keep the pre-trained word embeddings as they are."
)
@click.option(
    "--probe-steps",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Train only the head (pooler, classifier) for this many first steps (LP-FT).",
)
@click.option(
    "--label-smoothing",
    type=click.FloatRange(min=0, max=1, max_open=True),
    default=0.0,
    show_default=True,
)
@click.option(
    "--teacher",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Soft labels to distil (python -m checker.train.teacher: an ensemble's probabilities).",
)
@click.option(
    "--distill",
    type=click.FloatRange(min=0, max=1),
    default=0.0,
    show_default=True,
    help="The share of each pair's loss that learns --teacher's probabilities.",
)
@click.option(
    "--mined",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Mined pairs to train on (python -m checker.train.mined --out DIR: DIR/train.jsonl.gz).",
)
@click.option(
    "--mined-dev",
    type=click.Path(path_type=Path, dir_okay=False),
    help="The mined dev split, measured while training (DIR/dev.jsonl.gz).",
)
@click.option(
    "--dev/--no-dev",
    "dev",
    default=False,
    help="Measure the dev splits of --data while training; the best weights become the model.",
)
@click.option("--evals-per-epoch", type=click.IntRange(min=1), default=2, show_default=True)
@click.option("--dev-limit", type=click.IntRange(min=1), help="At most this many pairs a dev set.")
@click.option(
    "--weight",
    "weights",
    multiple=True,
    metavar="FILE=W",
    help="Loss weight of a training file (replaces the defaults: HANS 0.3, DNC, HELP and "
    "Breaking NLI 0.5).",
)
@click.option(
    "--repeat",
    "repeats",
    multiple=True,
    metavar="FILE=N",
    help="Read a training file N times an epoch (a genre the pool holds little of).",
)
@click.option(
    "--holdout",
    multiple=True,
    metavar="FILE=FRACTION",
    help="Keep that share of a training file's premises apart as a dev split of its own.",
)
@click.option(
    "--first-files", is_flag=True, help="Only the first model's ~95k pairs (issue 3's run)."
)
@click.option("--checkpoint-every", type=click.IntRange(min=1), default=500, show_default=True)
@click.option("--log-every", type=click.IntRange(min=1), default=50, show_default=True)
@click.option(
    "--onnx",
    type=click.Path(path_type=Path, file_okay=False),
    help="Then export an int8 ONNX model (with tokenizer and config.json) into this folder.",
)
def train_nli(out: Path, resume: bool, onnx: Path | None, **flags: Any) -> None:
    """Train the 3-way NLI cross-encoder from the packaged all-MiniLM-L6-v2 weights.

    Trains on the train files of --data only (never dev, test or ../shared/eval) plus
    synthetic pairs from --corpus and mined pairs (--mined), with fixed seeds; writes the
    model, train_config.json, metrics.jsonl and checkpoints into --out. A full pass over the
    first ~100k pairs took about 90 minutes on 2 CPU cores (fp32, unbucketed): run it in the
    background,

      nohup checker train-nli --out models/nli-run > train.log 2>&1 &

    and, if it stops, run the same command with --resume.
    """
    from checker.train.data import DEV_FILES, FIRST_FILES
    from checker.train.loop import TrainConfig, train

    if flags.pop("dev"):
        flags["dev_files"] = DEV_FILES
    if flags.pop("first_files"):
        flags["files"] = FIRST_FILES
    if flags["weights"]:
        flags["weights"] = _file_values(flags["weights"], float, "--weight")
    else:
        del flags["weights"]
    flags["repeats"] = _file_values(flags["repeats"], int, "--repeat")
    flags["holdout"] = _file_values(flags["holdout"], float, "--holdout")
    try:
        train(TrainConfig(out=out, **flags), resume=resume)
    except (FileNotFoundError, ValueError) as exc:  # missing data, a stale checkpoint
        raise click.ClickException(str(exc)) from exc
    if onnx is not None:
        from checker.train.export import export_onnx

        click.echo(f"int8 ONNX model written to {export_onnx(out, onnx)}", err=True)


def _file_values(
    items: tuple[str, ...], kind: Callable[[str], Any], option: str
) -> tuple[tuple[str, Any], ...]:
    """`FILE=VALUE` options as (file, value) pairs; a malformed one is a usage error."""
    try:
        pairs = [item.split("=", 1) for item in items]
        return tuple((name, kind(value)) for name, value in pairs)
    except ValueError:
        raise click.BadParameter(f"give FILE=VALUE, not {items}", param_hint=option) from None


# `checker keys ...` and `checker audit` live in their own module, imported last because it
# uses the helpers above.
from checker.cli_keys import audit, keys  # noqa: E402

main.add_command(keys)
main.add_command(audit)

"""`checker keys create|list|revoke` and `checker audit`: who may call the API, and what
was written. Thin, like the rest of the CLI: the work is in `checker.store.keys`/`audit`."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import click

from checker.cli import _cli_user, _index_option, _settings
from checker.service import Checker
from checker.store import Store
from checker.store import audit as audit_log
from checker.store import keys as api_keys


@click.group()
def keys() -> None:
    """API keys: create, list, revoke. Once any key exists, the API needs one."""


@keys.command("create")
@click.argument("name")
@click.option(
    "--scope",
    type=click.Choice(api_keys.SCOPES),
    default="read",
    show_default=True,
    help="read: check and read; write: also add, delete, scan; admin: everything.",
)
@_index_option
@click.pass_context
def keys_create(ctx: click.Context, name: str, scope: str, index: Path | None) -> None:
    """Create a key and print it: it is shown this once, only its hash is kept."""
    key, secret = api_keys.create(_store(ctx, index).conn, name, scope, actor=_cli_user())
    click.echo(secret)
    click.echo(
        f"created key {key.name!r} ({key.scope}); store it now, it is not shown again", err=True
    )


@keys.command("list")
@_index_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def keys_list(ctx: click.Context, index: Path | None, as_json: bool) -> None:
    """List keys (name, scope, first characters, created, revoked); never the keys."""
    listed = api_keys.listing(_store(ctx, index).conn)
    if as_json:
        click.echo(json.dumps([dataclasses.asdict(k) for k in listed], indent=2))
        return
    for k in listed:
        state = f"revoked {k.revoked_at}" if k.revoked_at else "live"
        click.echo(f"{k.name}\t{k.scope}\t{k.hint}…\tcreated {k.created_at}\t{state}")
    if not listed:
        click.echo("no keys: the API is open to anyone who can reach it", err=True)


@keys.command("revoke")
@click.argument("name")
@_index_option
@click.pass_context
def keys_revoke(ctx: click.Context, name: str, index: Path | None) -> None:
    """Revoke the live key NAME: it stops working at once, in every worker."""
    api_keys.revoke(_store(ctx, index).conn, name, actor=_cli_user())
    click.echo(f"revoked {name}")


@click.command()
@_index_option
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def audit(ctx: click.Context, index: Path | None, limit: int, as_json: bool) -> None:
    """Print the audit log of writes, newest first."""
    entries = audit_log.entries(_store(ctx, index).conn, limit)
    if as_json:
        click.echo(json.dumps([dataclasses.asdict(e) for e in entries], indent=2))
        return
    for e in entries:
        ids = ",".join(e.document_ids) or "-"
        click.echo(f"{e.at}\t{e.key_name}\t{e.action}\t{ids}\t{e.outcome}")


def _store(ctx: click.Context, index: Path | None) -> Store:
    return Checker.from_settings(_settings(ctx, index=index), create=False).store

"""Protection options shared by ``head``, ``verify`` and the need-to-know commands of
``cli/protect.py`` (kept apart so that ``cli/commands.py`` can use them without importing the
commands that register themselves on its group)."""

from __future__ import annotations

import os
import time
from typing import Any

import click

from legacyio.cli.errors import EXIT_DATA
from legacyio.cli.options import _stack
from legacyio.errors import OptionsError

__all__ = [
    "ProtectedInput",
    "audit_options",
    "check_key_flag",
    "head_protector",
    "key_options",
    "load_protector",
    "policy_option",
    "refuse_protected_verify",
    "verify_protected_cli",
]


def _existing_file(path: str, label: str) -> str:
    if not path or not os.path.exists(path):
        raise OptionsError(f"{label} file {path} does not exist")
    if os.path.isdir(path):
        raise OptionsError(f"{label} {path} is a directory, not a file")
    return path


key_options = _stack(
    click.option(
        "--key-file",
        type=click.Path(dir_okay=False),
        help="File holding the 32-byte protection key (mode 600). Also: "
        "LEGACYIO_PROTECT_KEY_FILE, or the policy's [key] table.",
    ),
    # refused whatever its value: a key on a command line is visible to every user
    click.option("--key", "key", hidden=True, default=None),
)

policy_option = click.option(
    "--policy",
    type=click.Path(dir_okay=False),
    help="Need-to-know policy (TOML): only what it releases is shown or written.",
)

audit_options = _stack(
    click.option(
        "--audit-log",
        type=click.Path(dir_okay=False),
        help="Append one hash-chained JSON line about this run (also on failure).",
    ),
    click.option("--purpose", help="Why the extract is made (default: the policy's purpose)."),
    click.option("--ticket", help="Authorization or ticket id recorded with the run."),
)


def check_key_flag(p: dict[str, Any]) -> None:
    """``--key VALUE`` is refused before anything else happens (never echoing the value)."""
    from legacyio.protect import refuse_key_value

    if p.get("key") is not None:
        raise refuse_key_value("--key")


def load_protector(p: dict[str, Any], layout: Any) -> Any:
    from legacyio.protect import Protector, load_policy

    pol = load_policy(_existing_file(str(p["policy"]), "policy"), layout)
    return Protector(pol, key_file=p.get("key_file"))


# ---- verify --protected, and plain verify on a protected file ------------------------------
def verify_protected_cli(ctx: click.Context, p: dict[str, Any]) -> None:
    """``legacyio verify --protected MANIFEST OUTPUT``."""
    from legacyio.protect.check import verify_protected

    out = _existing_file(str(p.get("input") or ""), "output")
    man = _existing_file(str(p["protected"]), "manifest")
    t0 = time.monotonic()
    res = verify_protected(man, out, search_path=tuple(p.get("copybook_dir") or ()))
    click.echo(f"rows checked:       {res.rows:,}")
    click.echo(
        f"fields checked:     {res.fields_checked} ({res.kept} kept, {res.recomputed} "
        f"recomputed, {res.keyed} keyed)"
    )
    for path, n in sorted(res.date_shift_unchanged.items()):
        click.echo(f"note: {path}: {n} rows shifted by 0 days (date_shift allows it)")
    if res.ok:
        click.echo("result:             protected output consistent with its manifest and source")
    else:
        for msg in res.problems:
            click.echo(f"PROBLEM: {msg}")
        click.echo("result:             NOT CONSISTENT")
    if not p.get("quiet"):
        click.echo(f"checked in {time.monotonic() - t0:.1f} s", err=True)
    if not res.ok:
        ctx.exit(EXIT_DATA)


def refuse_protected_verify(src: str) -> None:
    """Plain ``verify`` of a protected mainframe copy: not byte-comparable by design."""
    from legacyio.protect.check import load_manifest, manifest_path

    mp = manifest_path(src)
    if not mp.is_file():
        return
    try:
        m = load_manifest(mp)
    except OptionsError:
        return
    if m.get("action") == "protect":
        click.echo(
            f"{src} is a protected output (manifest {mp}): its protected fields differ from any "
            "source by design, so it is not byte-comparable; check it with: legacyio verify "
            f"--protected {mp} {src}"
        )
        raise ProtectedInput


class ProtectedInput(Exception):
    pass


def head_protector(p: dict[str, Any], layout: Any) -> Any:
    """The Protector of ``head --policy`` (None without ``--policy``)."""
    check_key_flag(p)
    if not p.get("policy"):
        if p.get("key_file"):
            raise OptionsError("--key-file needs --policy")
        return None
    return load_protector(p, layout)

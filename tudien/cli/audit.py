"""``tudien audit``: the audit log exported for review and its chain of digests verified."""

from __future__ import annotations

import argparse
import csv
import sys
from datetime import UTC, datetime

import orjson

from dictionary.errors import DictionaryError

from ..settings import Settings
from .shared import Commands, open_services


def add_audit(commands: Commands) -> None:
    audit = commands.add_parser("audit", help="the audit log: export it, verify its chain").add_subparsers(
        dest="audit_command", required=True)
    p = audit.add_parser("export", help="write the audit log to stdout (or --output), oldest first")
    p.add_argument("--since", help="only records at or after this ISO time (2026-12-01 or 2026-12-01T08:00)")
    p.add_argument("--format", choices=["jsonl", "csv"], default="jsonl")
    p.add_argument("--output", "-o", help="a file to write instead of stdout")
    p.set_defaults(func=cmd_audit_export)
    p = audit.add_parser("verify", help="check that every record carries the digest of the one before it")
    p.set_defaults(func=cmd_audit_verify)


def utc_since(text: str | None) -> str | None:
    """``--since`` as the audit log writes times (ISO, UTC): a time without a zone is UTC's."""
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidAuditQuery(f"--since {text!r}: không phải thời điểm ISO 8601 (ví dụ 2026-12-01 hoặc "
                                "2026-12-01T08:00+07:00).") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


class InvalidAuditQuery(DictionaryError):
    """An export asked for with a time that is none."""


def cmd_audit_export(args: argparse.Namespace, settings: Settings) -> int:
    # loaded on use: the command line's parser loads no entry model (see tudien.cli.shared)
    from corpora.formulas import neutral_row
    from dictionary.editorial.audit_trail import COLUMNS

    records = open_services(settings).audit.records(utc_since(args.since))
    out = open(args.output, "w", encoding="utf-8", newline="") if args.output else sys.stdout
    count = 0
    try:
        writer = csv.writer(out) if args.format == "csv" else None
        if writer is not None:
            writer.writerow(COLUMNS)
        for row in records:
            if writer is not None:  # every cell formula-neutral (corpora.formulas)
                writer.writerow(neutral_row(["" if row[c] is None else row[c] for c in COLUMNS]))
            else:
                row["detail"] = orjson.loads(row["detail"]) if row["detail"] else None
                out.write(orjson.dumps(row).decode() + "\n")
            count += 1
    finally:
        if out is not sys.stdout:
            out.close()
    print(f"{count} audit records exported", file=sys.stderr)
    return 0


def cmd_audit_verify(args: argparse.Namespace, settings: Settings) -> int:
    verdict = open_services(settings).audit.verify()
    if verdict.holds:
        print(f"the chain holds over {verdict.held} records")
        return 0
    print(f"the chain breaks at record {verdict.broken_at} (after {verdict.held} records that hold): "
          f"{verdict.reason}", file=sys.stderr)
    return 1

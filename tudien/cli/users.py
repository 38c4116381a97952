"""``tudien users``: accounts of contributors, editors and admins.  Tokens are printed once, alone
on the last line; passwords are read from standard input and never printed."""

from __future__ import annotations

from ..settings import Settings
from .shared import Commands, cli_actor, open_services, password_from_stdin, table


def add_users(commands: Commands) -> None:
    users = commands.add_parser("users", help="accounts of contributors, editors and admins").add_subparsers(
        dest="users_command", required=True)
    p = users.add_parser("add", help="add an account; prints its API token alone on the last line")
    p.add_argument("name")
    p.add_argument("--role", required=True, choices=["contributor", "editor", "admin"])
    p.add_argument("--languages", required=True, help="ISO 639-3 codes, comma-separated (tyz,mtq), or '*'")
    p.add_argument("--password-stdin", action="store_true", help="read a password for the web sign-in from stdin")
    p.set_defaults(func=cmd_users_add)
    p = users.add_parser("list", help="every account, its role, languages and state")
    p.set_defaults(func=cmd_users_list)
    p = users.add_parser("disable", help="disable an account (its token and password stop working)")
    p.add_argument("name")
    p.set_defaults(func=cmd_users_disable)
    p = users.add_parser("token", help="a new API token for an account (the old one stops working)")
    p.add_argument("name")
    p.set_defaults(func=cmd_users_token)
    p = users.add_parser("role", help="give an account a new role and languages (audited with the old ones)")
    p.add_argument("name")
    p.add_argument("--role", required=True, choices=["contributor", "editor", "admin"])
    p.add_argument("--languages", required=True, help="ISO 639-3 codes, comma-separated (tyz,mtq), or '*'")
    p.set_defaults(func=cmd_users_role)
    p = users.add_parser("password", help="set an account's password, read from stdin")
    p.add_argument("name")
    p.set_defaults(func=cmd_users_password)
    p = users.add_parser("2fa-reset", help="remove an account's second factor (a lost phone); it enrols again "
                         "at its next sign-in; audited")
    p.add_argument("name")
    p.set_defaults(func=cmd_users_2fa_reset)
    p = users.add_parser("sessions", help="an account's live page sessions; --end HANDLE (or --end all) ends them")
    p.add_argument("name")
    p.add_argument("--end", metavar="HANDLE", help="the session to end (its handle, from the list), or 'all'")
    p.set_defaults(func=cmd_users_sessions)
    p = users.add_parser("email", help="the e-mail a first single sign-on may link the account by "
                         "(with TUDIEN_OIDC_LINK_EMAIL=1); '-' clears it")
    p.add_argument("name")
    p.add_argument("email")
    p.set_defaults(func=cmd_users_email)


def cmd_users_add(args, settings: Settings) -> int:
    accounts = open_services(settings).accounts
    password = password_from_stdin() if args.password_stdin else None
    token = accounts.add(args.name, args.role, args.languages, password, actor=cli_actor())
    print(f"account {args.name!r} added ({args.role}; languages {args.languages}). Its API token, shown "
          "once (send it as 'Authorization: Bearer <token>'):")
    print(token)
    return 0


def cmd_users_list(args, settings: Settings) -> int:
    accounts = open_services(settings).accounts
    rows = [("name", "role", "languages", "password", "2fa", "state")]
    for a in accounts.list():
        rows.append((a["name"], a["role"], ",".join(a["languages"]), "yes" if a["password"] else "no",
                     "provider" if a["external"] else "yes" if a["two_factor"] else "no",
                     "disabled" if a["disabled"] else "active"))
    table(rows)
    return 0


def cmd_users_disable(args, settings: Settings) -> int:
    open_services(settings).accounts.disable(args.name, actor=cli_actor())
    print(f"account {args.name!r} disabled: its token and password no longer work")
    return 0


def cmd_users_token(args, settings: Settings) -> int:
    token = open_services(settings).accounts.new_token(args.name, actor=cli_actor())
    print(f"a new API token for {args.name!r} (the old one no longer works), shown once:")
    print(token)
    return 0


def cmd_users_password(args, settings: Settings) -> int:
    open_services(settings).accounts.set_password(args.name, password_from_stdin(), actor=cli_actor())
    print(f"password of {args.name!r} set")
    return 0


def cmd_users_role(args, settings: Settings) -> int:
    open_services(settings).accounts.set_role(args.name, args.role, args.languages, actor=cli_actor())
    print(f"account {args.name!r} is now {args.role} (languages {args.languages})")
    return 0


def cmd_users_2fa_reset(args, settings: Settings) -> int:
    open_services(settings).accounts.two_factor.reset(args.name, actor=cli_actor())
    print(f"second factor of {args.name!r} removed and its sessions ended; it enrols again at its next sign-in")
    return 0


def cmd_users_sessions(args, settings: Settings) -> int:
    accounts = open_services(settings).accounts
    accounts.get(args.name)  # an unknown name is said so
    sessions = accounts.sessions(args.name)
    if args.end:
        handles = [s["handle"] for s in sessions] if args.end == "all" else [args.end]
        for handle in handles:
            accounts.end_session(handle, actor=cli_actor(), owner=args.name)
        print(f"{len(handles)} session(s) of {args.name!r} ended")
        return 0
    rows = [("handle", "started", "last used", "browser")]
    rows += [(s["handle"], s["created_at"], s["last_used"], s["agent"] or "?") for s in sessions]
    table(rows)
    return 0


def cmd_users_email(args, settings: Settings) -> int:
    email = None if args.email == "-" else args.email.strip()
    open_services(settings).federation.set_email(args.name, email, actor=cli_actor())
    print(f"e-mail of {args.name!r} {'cleared' if email is None else 'set to ' + repr(email)}")
    return 0

#!/usr/bin/env python3
"""Refreshes the Questrade token file (test fleet stand-in: no network, writes a new token).

Usage: python scripts/setup/set_questrade_token.py [--days N]"""
import argparse
import datetime
import json
import os
import secrets

PATH = os.path.expanduser("~/.config/autotrader/questrade_token.json")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--days", type=int, default=30, help="validity in days (default 30)")
    args = parser.parse_args()
    if not 1 <= args.days <= 90:
        parser.error("--days must be between 1 and 90")
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    token = {
        "refresh_token": "qt-" + secrets.token_hex(16),
        "api_server": "https://api01.iq.questrade.com/",
        "issued_at": now.isoformat(),
        "expires_at": (now + datetime.timedelta(days=args.days)).isoformat(),
    }
    os.makedirs(os.path.dirname(PATH), mode=0o700, exist_ok=True)
    tmp = PATH + ".tmp"
    with open(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w", encoding="utf-8") as handle:
        json.dump(token, handle, indent=2)
        handle.write("\n")
    os.replace(tmp, PATH)
    print(f"questrade token written to {PATH}, expires {token['expires_at']}")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Rewrite the accounts block of nats-values.yaml from nats/conf/accounts.conf.

accounts.conf is generated from the subject builders (`chorus accounts-conf`);
the NATS chart's values must carry the same accounts in config.merge. Run this
after regenerating accounts.conf; scripts/chart-test.sh fails until they agree.

    python3 nats/conf/k8s/sync-accounts.py [--check]
"""
import pathlib
import re
import sys

HERE = pathlib.Path(__file__).resolve().parent
VALUES = HERE / "nats-values.yaml"
CONF = HERE.parent / "accounts.conf"
BEGIN = "    # --- accounts: generated from nats/conf/accounts.conf by sync-accounts.py ---\n"
END = "    # --- end of the generated accounts ---\n"


def accounts_block(conf: str) -> str:
    exports = re.findall(r'\{ service: "([^"]+)", accounts: \[WEB\] \}', conf)
    imports = re.findall(r'\{ service: \{ account: CHORUS, subject: "([^"]+)" \}, share: true \}', conf)
    limits = re.search(r"limits \{ max_subscriptions: (\d+), max_payload: (\d+), max_connections: (\d+) \}", conf)
    disconnects = re.search(r'stream: \{ account: SYS, subject: "([^"]+)" \}', conf)
    if not (exports and imports and limits and disconnects):
        sys.exit(f"{CONF}: exports, imports, WEB limits or the disconnect stream not found (has its format changed?)")
    subs, payload, connections = limits.groups()
    lines = [
        BEGIN,
        "    accounts:\n",
        "      # Services and operators: all of chorus.>, JetStream, discovery.\n",
        "      CHORUS:\n",
        "        jetstream: enabled\n",
        "        users:\n",
        "          - user: service\n",
        "            password: << $CHORUS_SERVICE_PASSWORD >>\n",
        "        exports:\n",
        *(f'          - {{service: "{s}", accounts: [WEB]}}\n' for s in exports),
        "\n",
        "      # Browsers, placed here by the auth callout (no users of its own, no\n",
        "      # JetStream). Each request crosses into CHORUS through a service import,\n",
        "      # so its reply can only come back to the requester.\n",
        "      WEB:\n",
        "        # nats-server 2.15 enforces these per connection, not the limits in a\n",
        "        # callout's user JWT: the same as [auth.callout]'s defaults.\n",
        "        limits:\n",
        f"          max_subscriptions: {subs}\n",
        f"          max_payload: {payload}\n",
        f"          max_connections: {connections}\n",
        "        imports:\n",
        *(f'          - {{service: {{account: CHORUS, subject: "{s}"}}, share: true}}\n' for s in imports),
        "\n",
        "      # The auth service's callout connection.\n",
        "      AUTH:\n",
        "        users:\n",
        "          - user: callout\n",
        "            password: << $CHORUS_CALLOUT_PASSWORD >>\n",
        "        imports:\n",
        f'          - {{stream: {{account: SYS, subject: "{disconnects.group(1)}"}}}}\n',
        "\n",
        "      SYS:\n",
        "        exports:\n",
        f'          - {{stream: "{disconnects.group(1)}", accounts: [AUTH]}}\n',
        END,
    ]
    return "".join(lines)


def main() -> None:
    values = VALUES.read_text()
    start, end = values.find(BEGIN), values.find(END)
    if start < 0 or end < 0:
        sys.exit(f"{VALUES}: the generated-accounts markers are missing")
    synced = values[:start] + accounts_block(CONF.read_text()) + values[end + len(END):]
    if "--check" in sys.argv[1:]:
        if synced != values:
            sys.exit(f"{VALUES} differs from {CONF}: run python3 nats/conf/k8s/sync-accounts.py")
        return
    VALUES.write_text(synced)
    print(f"{VALUES.name}: accounts synced with {CONF.name}")


if __name__ == "__main__":
    main()

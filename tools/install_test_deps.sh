#!/usr/bin/env bash
# Installs the programs the tests drive, from Debian's packages, where they are missing: the first
# step of `deno task test` and of `.ci/run`. Idempotent: with everything present it installs
# nothing and asks no registry. Without root (or apt-get) it names what is missing and exits 1.
#
#   python3 python3-aiosmtpd  smtplib as a client, aiosmtpd as a relay
#   swaks libnet-ssleay-perl  swaks as a client, with TLS
#   openssl                   openssl s_client as a client
#   dovecot-core              a real Dovecot for the credential tests
#   postfix                   smtp-sink as a relay, smtp-source as a load (preseeded to
#                             "No configuration", so nothing listens on port 25)
#   dnsmasq-base              a local resolver for MX lookups (the binary, no service)
#   postgresql                a private PostgreSQL (initdb) for the PostgreSQL store
#   python3-dkim python3-nacl Python's dkim module (dkimpy, Ed25519 through nacl) as a DKIM verifier
#   python3-prometheus-client the Prometheus text parser that reads GET /metrics
#   prometheus                promtool, to lint GET /metrics and check the example rules
#   chromium                  a browser for the web admin page's end-to-end test (playwright-core)
set -euo pipefail

missing=()
need() { # need PACKAGE CHECK...: PACKAGE is missing unless the check succeeds
  local package="$1"
  shift
  "$@" >/dev/null 2>&1 || missing+=("$package")
}
need python3 command -v python3
need python3-aiosmtpd /usr/bin/python3 -c "import aiosmtpd"
need swaks command -v swaks
need libnet-ssleay-perl perl -MNet::SSLeay -e1
need openssl command -v openssl
need dovecot-core test -x /usr/sbin/dovecot
need postfix test -x /usr/sbin/smtp-sink
need dnsmasq-base test -x /usr/sbin/dnsmasq
need postgresql bash -c 'ls /usr/lib/postgresql/*/bin/initdb'
need python3-dkim /usr/bin/python3 -c "import dkim"
need python3-nacl /usr/bin/python3 -c "import nacl.signing"
need python3-prometheus-client /usr/bin/python3 -c "import prometheus_client.parser"
need prometheus command -v promtool
need chromium test -x /usr/bin/chromium

if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi
if [[ "$(id -u)" -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
  echo "tests: missing Debian packages: ${missing[*]}" >&2
  echo "tests: install them as root: apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "tests: installing ${missing[*]} (apt-get)" >&2
echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${missing[@]}" >&2

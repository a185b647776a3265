#!/usr/bin/env bash
# Installs the Debian packages the test tiers need (as root): the browser for e2e tests, network tools for
# the multi-host lab, openssl for certificates, serf and bzip2 for the discovery tests that drive plain agents,
# avahi and dbus for the mDNS interoperability lab, tinc, ping and iperf3 for the overlay network's lab and bench,
# testssl.sh to grade the node's TLS and headers, dpkg-dev (dpkg-shlibdeps, strip) and lintian to build and check the
# .deb (npm run deb), litmus for the WebDAV server's protocol test and cadaver as the WebDAV client of its e2e story,
# slapd and ldap-utils for the proxy's federation lab, prometheus to scrape the node's /metrics, bind9-utils
# (named-checkzone) for the DNS zone unit test and bind9-dnsutils (dig) for its integration test, snmpd (the agent the SNMP
# poller's integration test reads) and fping (its ping summary test). Syncthing, Apache, squid and bind9 are NOT
# preinstalled: the tests install them through Cloudy, or the module's daemon and lab tests with apt (and the discovery
# integration test removes serf first, so a node's first start installs it itself).
set -euo pipefail
packages=(chromium fonts-dejavu-core iproute2 openssl ca-certificates passwd serf bzip2 avahi-daemon avahi-utils dbus-daemon tinc iputils-ping iperf3 testssl.sh dpkg-dev lintian litmus cadaver slapd ldap-utils prometheus bind9-utils bind9-dnsutils snmpd fping)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f '${db:Status-Abbrev}' "$package" 2>/dev/null | grep -q '^ii' || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then echo "install-test-deps: run as root to install: ${missing[*]}" >&2; exit 1; fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -o DPkg::Lock::Timeout=600
  apt-get install -y --no-install-recommends -o DPkg::Lock::Timeout=600 "${missing[@]}"
fi

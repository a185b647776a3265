#!/usr/bin/env bash
# Turns this Debian 12 or 13 machine into a Cloudy node: checks everything first, then installs the cloudy .deb with apt.
# The successor of 2015's cloudynitzar. Nothing the user passes is ever part of a command string: only arguments.
#
#   install-cloudy.sh --deb path/to/cloudy_X_arch.deb   install (or upgrade to) that package
#   install-cloudy.sh                                   build the package from the checkout this script is in, install it
#
# Exit codes: 0 installed; 1 a check failed, nothing was changed; 2 the installation failed.
set -u

readonly CONF=/etc/cloudy/cloudy.conf
readonly MIN_NODE_MAJOR=20
readonly MIN_FREE_MB=500
readonly SETTLE_SECONDS=60
readonly SETUP_CODE_FILE=/etc/cloudy/setup-code

say() { printf 'install-cloudy: %s\n' "$*"; }
# A port an earlier installation's settings chose (NAME=digits), else the default.
conf_port() {
  local port
  port=$(sed -n "s/^[[:space:]]*$1=[\"']\{0,1\}\([0-9]\{1,5\}\).*/\1/p" "$CONF" 2>/dev/null | tail -n 1)
  printf '%s' "${port:-$2}"
}
HTTP_PORT=$(conf_port CLOUDY_HTTP_PORT 7000)
HTTPS_PORT=$(conf_port CLOUDY_HTTPS_PORT 7443)
readonly HTTP_PORT HTTPS_PORT

usage() {
  printf 'usage: install-cloudy.sh [--deb FILE]\n'
  printf '  --deb FILE  install this cloudy .deb; without it, build one from the checkout around this script\n'
}

deb=''
while [ $# -gt 0 ]; do
  case "$1" in
    --deb)
      if [ $# -lt 2 ]; then usage >&2; exit 1; fi
      deb=$2; shift 2 ;;
    --deb=*) deb=${1#--deb=}; shift ;;
    -h|--help) usage; exit 0 ;;
    *) say "unknown argument: $1" >&2; usage >&2; exit 1 ;;
  esac
done

# apt takes a local file only as a path with a slash in it; ./ also keeps a name like "-x.deb" from reading as an option.
case "$deb" in ''|/*) ;; *) deb=./$deb ;; esac
checkout=$(cd -- "$(dirname -- "$0")/.." && pwd)
problems=()
problem() { problems+=("$1"); }

os_field() { sed -n "s/^$1=//p" /etc/os-release 2>/dev/null | tr -d '"' | head -n 1; }

check_root() {
  [ "$(id -u)" = 0 ] || problem 'Run as root (for example: sudo scripts/install-cloudy.sh).'
}

check_debian() {
  local id version
  id=$(os_field ID)
  version=$(os_field VERSION_ID)
  if [ "$id" != debian ]; then
    problem "This is not Debian (/etc/os-release says ID=${id:-nothing}): Cloudy installs on Debian 12 or 13."
  elif [ "$version" != 12 ] && [ "$version" != 13 ]; then
    problem "Debian ${version:-without a version (testing or unstable)} is not supported: Cloudy installs on Debian 12 or 13."
  fi
}

check_node() {
  local how major below
  if [ "$(os_field VERSION_ID)" = 12 ]; then
    how="On Debian 12, Debian's own nodejs is 18: install Node.js ${MIN_NODE_MAJOR} or later, for example the nodejs package from NodeSource."
  else
    how='Install it with: apt install nodejs'
  fi
  if ! command -v node >/dev/null 2>&1; then
    problem "Node.js >= ${MIN_NODE_MAJOR} is missing (no \"node\" command). $how"
    return
  fi
  major=$(node --version 2>/dev/null | sed -n 's/^v\([0-9][0-9]*\)\..*/\1/p')
  if [ -z "$major" ] || [ "$major" -lt "$MIN_NODE_MAJOR" ]; then
    problem "Node.js $(node --version 2>/dev/null) is too old: Cloudy needs Node.js >= ${MIN_NODE_MAJOR}. $how"
    return
  fi
  # A package may also cap the version (its native modules are built for one Node.js major version): ask it.
  [ -n "$deb" ] && [ -r "$deb" ] || return 0
  below=$(dpkg-deb --field "$deb" Depends 2>/dev/null | grep -o 'nodejs (<< [0-9]*' | grep -o '[0-9]*$' | head -n 1)
  if [ -n "$below" ] && [ "$major" -ge "$below" ]; then
    problem "Node.js $(node --version) is too new for this cloudy package: it was built for Node.js older than $below (Depends: nodejs (<< $below))."
  fi
}

check_disk() {
  local mount available_kb
  for mount in / /var; do
    available_kb=$(df --output=avail -k "$mount" 2>/dev/null | tail -n 1 | tr -d ' ')
    if [ -z "$available_kb" ]; then
      problem "Could not read the free space on $mount (df failed)."
    elif [ "$available_kb" -lt $((MIN_FREE_MB * 1024)) ]; then
      problem "Only $((available_kb / 1024)) MB free on $mount: Cloudy needs at least ${MIN_FREE_MB} MB there."
    fi
  done
}

# True when every process listening on the port belongs to Cloudy's own units (then installing is an upgrade).
port_held_by_cloudy() {
  local pids pid
  pids=$(ss -Hltnp "sport = :$1" 2>/dev/null | grep -o 'pid=[0-9]*' | cut -d= -f2 | sort -u)
  [ -n "$pids" ] || return 1
  for pid in $pids; do
    grep -qE '/(cloudyd|cloudy-helper)\.service' "/proc/$pid/cgroup" 2>/dev/null || return 1
  done
}

upgrading=false
check_ports() {
  local port
  if ! command -v ss >/dev/null 2>&1; then
    problem 'The "ss" command is missing (package iproute2): apt install iproute2'
    return
  fi
  for port in "$HTTP_PORT" "$HTTPS_PORT"; do
    [ -n "$(ss -Hltn "sport = :$port")" ] || continue
    if port_held_by_cloudy "$port"; then
      upgrading=true
    else
      problem "TCP port $port is in use by another program: Cloudy's panel needs ports ${HTTP_PORT} and ${HTTPS_PORT}. See which with: ss -ltnp 'sport = :$port'"
    fi
  done
}

check_apt() {
  command -v apt-get >/dev/null 2>&1 || problem 'apt-get is missing: Cloudy installs as a Debian package.'
}

check_package_source() {
  if [ -n "$deb" ]; then
    if [ ! -f "$deb" ] || [ ! -r "$deb" ]; then
      problem "--deb $deb: no such readable file."
    elif [ "$(dpkg-deb --field "$deb" Package 2>/dev/null)" != cloudy ]; then
      problem "--deb $deb is not a cloudy package."
    fi
  elif [ ! -f "$checkout/package.json" ]; then
    problem "No --deb given and $checkout is not a Cloudy checkout: pass --deb path/to/cloudy_X.deb."
  elif ! command -v npm >/dev/null 2>&1; then
    problem 'npm is missing, needed to build Cloudy from this checkout: apt install npm (or pass --deb FILE).'
  fi
}

check_root
check_debian
check_node
check_disk
check_ports
check_apt
check_package_source

if [ ${#problems[@]} -gt 0 ]; then
  say 'cannot install Cloudy on this machine:' >&2
  printf '  - %s\n' "${problems[@]}" >&2
  say 'Nothing was changed.' >&2
  exit 1
fi

if [ -z "$deb" ]; then
  say "building the package from $checkout"
  if [ ! -d "$checkout/node_modules" ]; then
    (cd -- "$checkout" && npm ci) || { say 'npm ci failed.' >&2; exit 2; }
  fi
  (cd -- "$checkout" && npm run deb) || { say 'npm run deb failed.' >&2; exit 2; }
  for built in "$checkout"/cloudy_*_*.deb; do
    if [ -f "$built" ] && { [ -z "$deb" ] || [ "$built" -nt "$deb" ]; }; then deb=$built; fi
  done
  [ -n "$deb" ] || { say "npm run deb made no cloudy_*.deb in $checkout." >&2; exit 2; }
fi
new_version=$(dpkg-deb --field "$deb" Version)

if $upgrading; then
  say "Cloudy $(dpkg-query -W -f '${Version}' cloudy 2>/dev/null) is installed and running: installing $new_version upgrades it (accounts, data and settings are kept)."
fi
export DEBIAN_FRONTEND=noninteractive
if ! compgen -G '/var/lib/apt/lists/*_Packages' >/dev/null; then
  apt-get update -o DPkg::Lock::Timeout=600 || say 'apt-get update failed; trying with what apt knows.' >&2
fi
if ! apt-get install -y -o DPkg::Lock::Timeout=600 "$deb"; then
  say "apt-get could not install $deb: see its messages above." >&2
  exit 2
fi

if [ ! -d /run/systemd/system ]; then
  say "Cloudy $new_version is installed. systemd is not running here, so it starts at the next boot."
  exit 0
fi
waited=0
until [ -n "$(ss -Hltn "sport = :$HTTPS_PORT")" ]; do
  if [ "$waited" -ge "$SETTLE_SECONDS" ]; then
    say "Cloudy $new_version is installed but its panel is not listening on port $HTTPS_PORT after ${SETTLE_SECONDS} s: see journalctl -u cloudy-helper -u cloudyd" >&2
    exit 2
  fi
  sleep 1
  waited=$((waited + 1))
done

address=$(ip -o -4 addr show scope global 2>/dev/null | sed -n 's/.* inet \([0-9.]*\)\/.*/\1/p' | head -n 1)
say "Cloudy $new_version is running. Panel: https://${address:-$(hostname)}:${HTTPS_PORT}/"
# cloudyd stores the setup code before it listens, so the file exists now if no administrator does.
if [ -f "$SETUP_CODE_FILE" ]; then
  say "Setup code: $(head -n 1 "$SETUP_CODE_FILE")"
else
  say 'Sign in with your administrator account.'
fi

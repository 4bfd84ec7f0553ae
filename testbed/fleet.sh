#!/usr/bin/env bash
# The Opsdeck test fleet: real Debian hosts (systemd-nspawn) on one machine, each in its own
# network namespace on the opsd-br0 bridge. See docs/testbed.md.
#
#   fleet.sh build                          cache the Debian tree (adopts a finished prebuild)
#   fleet.sh prune                          delete cached trees of other recipes not in use
#   fleet.sh up NAME N [options]            boot N hosts NAME-1..NAME-N, print the fleet JSON
#        --owner-pid PID   tear the fleet down when PID exits (tests pass their own pid);
#                          without it the fleet stays until `down NAME` or `cleanup --all`
#        --sim-dir DIR     folder holding autotrader-sim.mjs (default: REPO/out/sim)
#        --node PATH       node binary bind-mounted into the hosts (default: command -v node)
#        --sim-args ARGS   extra simulator flags for every host (e.g. "--cycle 30")
#   fleet.sh down NAME                      power off and remove everything of fleet NAME
#   fleet.sh stop-host NAME HOST [--kill] | start-host NAME HOST   (--kill: no clean poweroff)
#   fleet.sh exec NAME HOST -- CMD...       run CMD inside HOST (nsenter; works without sshd)
#   fleet.sh status [NAME]
#   fleet.sh cleanup [--all]                remove leftovers of crashed runs: fleets whose owner
#                                           died (--all: every fleet, manual ones too)
#
# Needs root, systemd-container, debootstrap, iproute2, openssh-client, util-linux.
set -Eeuo pipefail
shopt -s nullglob

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$HERE")
CACHE=${OPSDECK_TESTBED_CACHE:-/var/cache/opsdeck-testbed}
RUN=${OPSDECK_TESTBED_RUN:-/run/opsdeck-testbed}

# The cached tree is named after this version. Bump it whenever the recipe below changes;
# the recipe is also stamped into the tree and checked, so a forgotten bump fails loudly.
ROOTFS_VERSION=2
SUITE=bookworm
# jq and python-is-python3: the runbooks run `curl … | jq` and `python scripts/…`.
INCLUDE=systemd,systemd-sysv,dbus,udev,openssh-server,redis-server,logrotate,iproute2,procps,python3,curl,ca-certificates,jq,python-is-python3
RECIPE="debootstrap --variant=minbase --include=$INCLUDE $SUITE"
ROOTFS=$CACHE/rootfs-v$ROOTFS_VERSION
PREBUILD=$CACHE/debootstrap-prebuild

BRIDGE=opsd-br0
NET=10.77.0
FIRST_OCTET=10
LAST_OCTET=250
SSH_WAIT_SECONDS=${OPSDECK_TESTBED_SSH_WAIT:-60}
STOP_WAIT_SECONDS=10

# Units that only slow a test host's boot down or wake it up at random times.
MASKED_UNITS=(apt-daily.timer apt-daily-upgrade.timer dpkg-db-backup.timer e2scrub_all.timer
  e2scrub_reap.service fstrim.timer cron.service console-getty.service getty@.service
  systemd-timesyncd.service)
ENABLED_UNITS=(autotrader-api.service autotrader-ingestion.service autotrader-workers.service
  autotrader-seed-queues.service)

die() { echo "fleet.sh: $*" >&2; exit 1; }
log() { echo "fleet.sh: $*" >&2; }

require_root() { [ "$(id -u)" = 0 ] || die "must run as root (network namespaces, mounts, nspawn)"; }

valid_name() {
  [[ $1 =~ ^[a-z][a-z0-9]{0,15}$ ]] || die "invalid fleet name '$1': use 1-16 of [a-z0-9], starting with a letter"
}

fleet_dir() { echo "$RUN/fleets/$1"; }

# One lock serialises address leases and bridge creation/removal between concurrent fleets.
# Re-entrant: `up` failing inside the lock tears down through `down`, which takes it again
# (flock on a second descriptor of the same file would wait for ourselves forever).
GLOBAL_LOCK_HELD=""
with_global_lock() {
  if [ -n "$GLOBAL_LOCK_HELD" ]; then
    "$@"
    return
  fi
  mkdir -p "$RUN"
  exec {lockfd}>"$RUN/.lock"
  flock "$lockfd"
  GLOBAL_LOCK_HELD=1
  "$@"
  local rc=$?
  GLOBAL_LOCK_HELD=""
  flock -u "$lockfd"
  exec {lockfd}>&-
  return $rc
}

# ---------------------------------------------------------------------------------- build

tree_complete() {
  # debootstrap removes DIR/debootstrap when it finishes; then every package must be installed.
  local dir=$1 pkg
  [ -d "$dir" ] && [ ! -e "$dir/debootstrap" ] && [ -x "$dir/usr/sbin/sshd" ] || return 1
  for pkg in ${INCLUDE//,/ }; do
    dpkg-query --admindir="$dir/var/lib/dpkg" -W -f '${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || return 1
  done
}

cmd_build() {
  require_root
  mkdir -p "$CACHE"
  exec {buildfd}>"$CACHE/.build.lock"
  flock "$buildfd"
  if [ -f "$ROOTFS/.opsdeck-recipe" ]; then
    [ "$(cat "$ROOTFS/.opsdeck-recipe")" = "$RECIPE" ] ||
      die "$ROOTFS was built from another recipe; bump ROOTFS_VERSION in fleet.sh"
    log "cached tree $ROOTFS is ready"
    return 0
  fi
  if tree_complete "$PREBUILD"; then
    log "adopting finished prebuild $PREBUILD as $ROOTFS"
    echo "$RECIPE" >"$PREBUILD/.opsdeck-recipe"
    mv -T "$PREBUILD" "$ROOTFS"
    return 0
  fi
  local tmp="$ROOTFS.building"
  rm -rf "$tmp"
  log "running $RECIPE (about 70 s, about 350 MB)"
  local started=$SECONDS
  debootstrap --variant=minbase --include="$INCLUDE" "$SUITE" "$tmp" >"$CACHE/debootstrap.log" 2>&1 ||
    { tail -20 "$CACHE/debootstrap.log" >&2; rm -rf "$tmp"; die "debootstrap failed (log: $CACHE/debootstrap.log)"; }
  tree_complete "$tmp" || { rm -rf "$tmp"; die "debootstrap finished but the tree lacks packages of: $INCLUDE"; }
  echo "$RECIPE" >"$tmp/.opsdeck-recipe"
  mv -T "$tmp" "$ROOTFS"
  log "built $ROOTFS in $((SECONDS - started)) s"
}

# Trees of other recipes that no host's overlay uses (about 350 MB each). Never automatic:
# another checkout or worktree at an older commit may share the cache and need its tree.
cmd_prune() {
  require_root
  local tree
  for tree in "$CACHE"/rootfs-v*; do
    [ "$tree" = "$ROOTFS" ] && continue
    grep -qF "$tree" /proc/mounts && continue
    log "removing old tree $tree"
    rm -rf --one-file-system "$tree"
  done
}

ensure_rootfs() {
  [ -f "$ROOTFS/.opsdeck-recipe" ] && [ "$(cat "$ROOTFS/.opsdeck-recipe")" = "$RECIPE" ] && return 0
  cmd_build
}

# ------------------------------------------------------------------------------ provision

# The provision layer sits between the cached tree and each host's own layer: everything the
# project adds to a stock Debian host. It is rebuilt on every `up`, so it can never be stale.
make_provision() {
  local fd=$1 p=$1/provision
  mkdir -p "$p"
  cp -a "$HERE/host/." "$p/"
  find "$p" -name __pycache__ -prune -exec rm -rf {} +
  chown -R root:root "$p"
  # As a stock host has them, whatever umask the checkout was made with (`git archive` writes
  # 0664): logrotate, sshd and sudo refuse a config file that group or others can write.
  chmod -R go-w "$p"
  # A machine id per container (nspawn passes --uuid), no resolver, localhost.
  : >"$p/etc/machine-id"
  mkdir -p "$p/var/lib/dbus"
  ln -sfn /etc/machine-id "$p/var/lib/dbus/machine-id"
  : >"$p/etc/resolv.conf"
  mkdir -p "$p/etc/systemd/system/multi-user.target.wants"
  local unit
  for unit in "${MASKED_UNITS[@]}"; do ln -sfn /dev/null "$p/etc/systemd/system/$unit"; done
  for unit in "${ENABLED_UNITS[@]}"; do
    ln -sfn "/etc/systemd/system/$unit" "$p/etc/systemd/system/multi-user.target.wants/$unit"
  done
  chmod 0640 "$p/etc/autotrader/env"
  install -d -m 0700 "$p/root/.ssh" "$p/root/.config" "$p/root/.config/autotrader"
  install -m 0600 "$fd/id_ed25519.pub" "$p/root/.ssh/authorized_keys"
  local now expires
  now=$(date -u +%Y-%m-%dT%H:%M:%S+00:00)
  expires=$(date -u -d '+25 days' +%Y-%m-%dT%H:%M:%S+00:00)
  printf '{\n  "refresh_token": "qt-opsdeck-testbed-5f3e9a1c",\n  "api_server": "https://api01.iq.questrade.com/",\n  "issued_at": "%s",\n  "expires_at": "%s"\n}\n' \
    "$now" "$expires" >"$p/root/.config/autotrader/questrade_token.json"
  chmod 0600 "$p/root/.config/autotrader/questrade_token.json"
  # Bind-mount targets must exist in the tree.
  mkdir -p "$p/opt/autotrader/sim" "$p/usr/local/bin"
  : >"$p/usr/local/bin/node"
  chmod 0755 "$p/usr/local/bin/node"
}

# --------------------------------------------------------------------------------- network

# Without the bridge the machine has no route for the fleet's subnet, and traffic to a torn-down
# host's address (a test or console still polling it) would leave through the default route.
# This route outlives every fleet: while the bridge exists its own route (metric 0) wins;
# without it, connects fail at once with "No route to host" and nothing leaves the machine.
ensure_guard_route() {
  ip route replace unreachable "$NET.0/24" metric 4242
}

ensure_bridge() {
  ensure_guard_route
  if ! ip link show "$BRIDGE" >/dev/null 2>&1; then
    ip link add "$BRIDGE" type bridge
    ip addr add "$NET.1/24" dev "$BRIDGE"
  fi
  ip link set "$BRIDGE" up
}

# Round-robin, not lowest-free: a just-freed address is not handed out again at once, so a
# client still holding it (or a stale ARP entry) never reaches a different host.
lease_address() { # fleet host -> prints the leased address (caller holds the global lock)
  mkdir -p "$RUN/leases"
  local span=$((LAST_OCTET - FIRST_OCTET + 1)) next i octet
  next=$(cat "$RUN/leases/.next" 2>/dev/null || echo "$FIRST_OCTET")
  [[ $next =~ ^[0-9]+$ ]] && [ "$next" -ge "$FIRST_OCTET" ] && [ "$next" -le "$LAST_OCTET" ] || next=$FIRST_OCTET
  for ((i = 0; i < span; i++)); do
    octet=$(((next - FIRST_OCTET + i) % span + FIRST_OCTET))
    if mkdir "$RUN/leases/$octet" 2>/dev/null; then
      echo "$1 $2" >"$RUN/leases/$octet/owner"
      echo $(((octet - FIRST_OCTET + 1) % span + FIRST_OCTET)) >"$RUN/leases/.next"
      echo "$NET.$octet"
      return 0
    fi
  done
  die "no free address left in $NET.$FIRST_OCTET-$LAST_OCTET"
}

setup_host_network() { # fleet host address
  local ns="opsd-$1-$2" octet=${3##*.} veth
  veth="opsd-v$octet"
  ip netns add "$ns"
  ip link add "$veth" type veth peer name eth0 netns "$ns"
  ip link set "$veth" master "$BRIDGE" up
  ip -n "$ns" link set lo up
  ip -n "$ns" addr add "$3/24" dev eth0
  ip -n "$ns" link set eth0 up
  # A reused address may still sit in the ARP cache with the old MAC: 10-20 s of silence.
  ip neigh flush to "$3" 2>/dev/null || true
}

teardown_host_network() { # netns-name address
  local ns=$1 addr=$2 pids
  if [ -e "/run/netns/$ns" ]; then
    # Processes left in the namespace keep sessions hanging forever; kill them first.
    pids=$(ip netns pids "$ns" 2>/dev/null || true)
    [ -n "$pids" ] && kill -9 $pids 2>/dev/null || true
    ip netns delete "$ns" 2>/dev/null || true
  fi
  if [ -n "$addr" ]; then
    ip link delete "opsd-v${addr##*.}" 2>/dev/null || true
    ip neigh flush to "$addr" 2>/dev/null || true
    rm -rf "$RUN/leases/${addr##*.}"
  fi
}

remove_bridge_if_unused() {
  local leases=("$RUN"/leases/*)
  if [ ${#leases[@]} -eq 0 ] && ip link show "$BRIDGE" >/dev/null 2>&1; then
    ip link delete "$BRIDGE" 2>/dev/null || true
  fi
}

# ----------------------------------------------------------------------------------- hosts

host_dir() { echo "$(fleet_dir "$1")/hosts/$2"; }

prepare_host() { # fleet host address
  local fd hd up
  fd=$(fleet_dir "$1")
  hd=$(host_dir "$1" "$2")
  up=$hd/upper
  mkdir -p "$up/etc/ssh" "$hd/work" "$hd/merged"
  echo "$3" >"$hd/address"
  ssh-keygen -q -t ed25519 -N '' -C "root@$2" -f "$up/etc/ssh/ssh_host_ed25519_key"
  printf '127.0.0.1\tlocalhost\n127.0.1.1\t%s\n::1\tlocalhost ip6-localhost ip6-loopback\n' "$2" >"$up/etc/hosts"
  echo "$2" >"$up/etc/hostname"
  if [ -n "${SIM_ARGS:-}" ]; then
    mkdir -p "$up/etc/autotrader"
    printf 'SIM_ARGS=%s\n' "$SIM_ARGS" >"$up/etc/autotrader/sim.env"
  fi
  printf '%s %s\n' "$3" "$(cut -d' ' -f1,2 "$up/etc/ssh/ssh_host_ed25519_key.pub")" >"$hd/known_host"
  mount -t overlay overlay \
    -o "lowerdir=$fd/provision:$ROOTFS,upperdir=$up,workdir=$hd/work" "$hd/merged"
}

# With --keep-unit and no systemd on the machine, nspawn roots the container's cgroup tree at
# its own cgroup. Hosts started from one shell would then share /system.slice/... and remove each
# other's unit cgroups (units fail with 219/CGROUP). So each host gets its own cgroup first.
cgroup_roots() { awk '$3 == "cgroup2" || ($3 == "cgroup" && $4 ~ /name=systemd/) {print $2}' /proc/mounts; }

host_cgroup_enter() { # fleet host -> moves this (sub)shell into the host's own cgroups
  local root dir
  for root in $(cgroup_roots); do
    dir=$root/opsdeck-testbed/$1/$2
    mkdir -p "$dir"
    echo "$BASHPID" >"$dir/cgroup.procs"
  done
}

host_cgroup_remove() { # fleet [host]
  local root
  for root in $(cgroup_roots); do
    [ -d "$root/opsdeck-testbed/$1${2:+/$2}" ] || continue
    find "$root/opsdeck-testbed/$1${2:+/$2}" -depth -type d -exec rmdir {} + 2>/dev/null || true
  done
}

boot_host() { # fleet host
  local fd hd
  fd=$(fleet_dir "$1")
  hd=$(host_dir "$1" "$2")
  local node sim
  node=$(cat "$fd/node")
  sim=$(cat "$fd/sim-dir")
  [ "$(stat -L -c %F /dev/null)" = "character special file" ] ||
    die "/dev/null on this machine is not a device (something replaced it); nspawn cannot start"
  # setsid: the host must not receive the terminal's Ctrl-C meant for the test runner;
  # the owner watchdog and `down` decide when it goes. The unified (cgroup v2) hierarchy
  # avoids systemd's cgroup v1 quirks inside the container.
  (
    host_cgroup_enter "$1" "$2"
    SYSTEMD_NSPAWN_UNIFIED_HIERARCHY=${SYSTEMD_NSPAWN_UNIFIED_HIERARCHY:-1} exec setsid systemd-nspawn \
      -D "$hd/merged" -b -M "$2" --uuid="$(cat /proc/sys/kernel/random/uuid)" \
      --register=no --keep-unit --console=read-only --network-namespace-path="/run/netns/opsd-$1-$2" \
      --resolv-conf=off --timezone=off --link-journal=no \
      --bind-ro="$node:/usr/local/bin/node" --bind-ro="$sim:/opt/autotrader/sim"
  ) </dev/null >>"$hd/console.log" 2>&1 &
  echo $! >"$hd/nspawn.pid"
}

# Running, not a zombie: a dead nspawn is reparented to the machine's init, which may reap it
# late, and `kill -0` succeeds on a zombie. With a start time, also not a reused pid.
alive() { # pid [starttime]
  local stat fields
  read -r stat <"/proc/$1/stat" 2>/dev/null || return 1
  stat=${stat##*) }
  [ "${stat:0:1}" != Z ] || return 1
  [ -z "${2:-}" ] && return 0
  read -ra fields <<<"$stat"
  [ "${fields[19]}" = "$2" ] # field 22 of /proc/PID/stat, counted after the command name
}

start_time() { # pid
  local stat fields
  read -r stat <"/proc/$1/stat" 2>/dev/null || return 1
  read -ra fields <<<"${stat##*) }"
  echo "${fields[19]}"
}

# The host's nspawn pid, only if that pid still is this host's nspawn (pids get reused, and a
# stale one would make `exec` run commands on the machine itself).
nspawn_pid() { # fleet host
  local hd pid
  hd=$(host_dir "$1" "$2")
  pid=$(cat "$hd/nspawn.pid" 2>/dev/null) || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "systemd-nspawn -D $hd/merged " || return 1
  echo "$pid"
}

# The container's init: the process in a child PID namespace whose namespace pid is 1.
leader_pid() { # fleet host
  local nspawn pid child ns
  nspawn=$(nspawn_pid "$1" "$2") || return 1
  local queue=("$nspawn")
  while [ ${#queue[@]} -gt 0 ]; do
    pid=${queue[0]}
    queue=("${queue[@]:1}")
    for child in $(pgrep -P "$pid" || true); do
      ns=$(awk '/^NSpid:/ {print $NF}' "/proc/$child/status" 2>/dev/null || true)
      if [ "$ns" = 1 ]; then echo "$child"; return 0; fi
      queue+=("$child")
    done
  done
  return 1
}

wait_ssh() { # address host -> waits for an SSH banner
  local deadline=$((SECONDS + SSH_WAIT_SECONDS)) banner
  while [ $SECONDS -lt $deadline ]; do
    banner=$(timeout 1 bash -c 'exec 3<>"/dev/tcp/$1/22" && head -c 4 <&3' _ "$1" 2>/dev/null || true)
    [ "$banner" = "SSH-" ] && return 0
    sleep 0.05
  done
  return 1
}

wait_booted() { # fleet host
  local hd addr
  hd=$(host_dir "$1" "$2")
  addr=$(cat "$hd/address")
  if ! wait_ssh "$addr"; then
    log "host $2 ($addr): no SSH banner after ${SSH_WAIT_SECONDS}s; console:"
    tail -30 "$hd/console.log" >&2 || true
    return 1
  fi
  # sshd answers before redis and the autotrader units are up; tests want them all started.
  local state
  state=$(timeout "$SSH_WAIT_SECONDS" "$HERE/fleet.sh" exec "$1" "$2" -- systemctl is-system-running --wait 2>/dev/null || true)
  case $state in
    running) ;;
    degraded) log "host $2 booted degraded: $("$HERE/fleet.sh" exec "$1" "$2" -- systemctl --failed --no-legend --plain | awk '{print $1}' | tr '\n' ' ')" ;;
    *) log "host $2 did not finish booting (state '$state')"; return 1 ;;
  esac
}

stop_host() { # fleet host [--kill] -> clean poweroff (SIGKILL after STOP_WAIT_SECONDS), or pull the plug
  local hd nspawn leader i
  hd=$(host_dir "$1" "$2")
  nspawn=$(nspawn_pid "$1" "$2") || { rm -f "$hd/nspawn.pid"; host_cgroup_remove "$1" "$2"; return 0; }
  leader=$(leader_pid "$1" "$2" || true)
  if [ "${3:-}" = --kill ] && [ -n "$leader" ]; then
    # nspawn's own tidying takes about a second and only touches its private mount namespace.
    kill -9 "$leader" "$nspawn" 2>/dev/null || true
  else
    kill -TERM "$nspawn" 2>/dev/null || true
  fi
  for ((i = 0; i < STOP_WAIT_SECONDS * 50; i++)); do
    alive "$nspawn" || break
    sleep 0.02
  done
  if alive "$nspawn"; then
    log "host $2 did not power off in ${STOP_WAIT_SECONDS}s; killing it"
    # Killing the init of a PID namespace kills everything in it.
    [ -n "$leader" ] && kill -9 "$leader" 2>/dev/null || true
    kill -9 "$nspawn" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do alive "$nspawn" || break; sleep 0.02; done
  fi
  rm -f "$hd/nspawn.pid"
  host_cgroup_remove "$1" "$2"
}

# ---------------------------------------------------------------------------------- fleet

fleet_json() { # fleet
  local fd first=1 hd host
  fd=$(fleet_dir "$1")
  printf '{"name":"%s","stateDir":"%s","privateKeyPath":"%s","knownHostsPath":"%s","hosts":[' \
    "$1" "$fd" "$fd/id_ed25519" "$fd/known_hosts"
  for host in $(cat "$fd/hosts.list"); do
    hd=$(host_dir "$1" "$host")
    [ $first = 1 ] || printf ','
    first=0
    printf '{"name":"%s","address":"%s","sshPort":22,"hostKeyLine":"%s"}' \
      "$host" "$(cat "$hd/address")" "$(cat "$hd/known_host")"
  done
  printf ']}\n'
}

cmd_up() {
  require_root
  [ $# -ge 2 ] || die "usage: fleet.sh up NAME N [--owner-pid PID] [--sim-dir DIR] [--node PATH] [--sim-args ARGS]"
  local name=$1 count=$2 owner="" sim="$REPO/out/sim" node="" i
  shift 2
  valid_name "$name"
  [[ $count =~ ^[1-9][0-9]?$ ]] && [ "$count" -le 50 ] || die "invalid host count '$count': 1 to 50"
  SIM_ARGS=""
  while [ $# -gt 0 ]; do
    case $1 in
      --owner-pid) owner=${2:?--owner-pid needs a pid}; shift 2 ;;
      --sim-dir) sim=${2:?--sim-dir needs a folder}; shift 2 ;;
      --node) node=${2:?--node needs a path}; shift 2 ;;
      --sim-args) SIM_ARGS=${2?--sim-args needs a value}; shift 2 ;;
      *) die "unknown option '$1' for up" ;;
    esac
  done
  if [ -n "$owner" ]; then
    [[ $owner =~ ^[0-9]+$ ]] && kill -0 "$owner" 2>/dev/null || die "--owner-pid '$owner' is not a running process"
  fi
  [[ $SIM_ARGS =~ ^[A-Za-z0-9_.,=:/\ -]*$ ]] || die "--sim-args may hold only letters, digits, spaces and _.,=:/-"
  node=${node:-$(command -v node || true)}
  [ -n "$node" ] && [ -x "$node" ] || die "node binary not found (pass --node PATH)"
  node=$(readlink -f "$node")
  [ -f "$sim/autotrader-sim.mjs" ] || die "simulator bundle $sim/autotrader-sim.mjs is missing (run: npm run build:sim)"
  sim=$(readlink -f "$sim")

  ensure_rootfs
  local fd
  fd=$(fleet_dir "$name")
  mkdir -p "$RUN/fleets"
  mkdir "$fd" 2>/dev/null || die "fleet '$name' already exists (fleet.sh down $name, or cleanup)"
  # From here on a failure tears down whatever was built.
  # (Only in this shell: background subshells inherit the trap through set -E.)
  trap 'rc=$?; if [ "$BASHPID" = "$$" ]; then log "up failed; tearing fleet $name down"; cmd_down "$name" >/dev/null 2>&1 || true; exit $rc; fi' ERR INT TERM
  # No owner: a fleet started by hand, kept until `down NAME` or `cleanup --all`.
  if [ -n "$owner" ]; then
    echo "$owner $(start_time "$owner")" >"$fd/owner"
    # If the owner dies without calling down (SIGKILL, crash, even during this boot), take the
    # fleet with it. The start time guards against a reused pid.
    # shellcheck disable=SC2016,SC2046 # the script is single-quoted on purpose; "pid starttime" splits
    setsid bash -c "$(declare -f alive); "'while alive "$1" "$2"; do sleep 1; done; OPSDECK_WATCHDOG=1 "$3" down "$4"' \
      _ $(cat "$fd/owner") "$HERE/fleet.sh" "$name" </dev/null >/dev/null 2>&1 &
    echo $! >"$fd/watchdog.pid"
  else
    echo manual >"$fd/owner"
  fi
  echo "$node" >"$fd/node"
  echo "$sim" >"$fd/sim-dir"
  ssh-keygen -q -t ed25519 -N '' -C "opsdeck-testbed-$name" -f "$fd/id_ed25519"
  make_provision "$fd"

  local hosts=() addrs=()
  for ((i = 1; i <= count; i++)); do hosts+=("$name-$i"); done
  printf '%s\n' "${hosts[@]}" >"$fd/hosts.list"
  net_up() {
    ensure_bridge
    local h a
    for h in "${hosts[@]}"; do
      a=$(lease_address "$name" "$h")
      addrs+=("$a")
      mkdir -p "$(host_dir "$name" "$h")"
      echo "$a" >"$(host_dir "$name" "$h")/address"
      setup_host_network "$name" "$h" "$a"
    done
  }
  with_global_lock net_up
  for ((i = 0; i < count; i++)); do prepare_host "$name" "${hosts[$i]}" "${addrs[$i]}"; done
  cat "$fd"/hosts/*/known_host >"$fd/known_hosts"
  for h in "${hosts[@]}"; do boot_host "$name" "$h"; done
  local pids=() failed=0
  for h in "${hosts[@]}"; do wait_booted "$name" "$h" & pids+=($!); done
  for i in "${pids[@]}"; do wait "$i" || failed=1; done
  [ $failed = 0 ] || false
  trap - ERR INT TERM
  fleet_json "$name"
}

cmd_down() {
  require_root
  [ $# -eq 1 ] || die "usage: fleet.sh down NAME"
  valid_name "$1"
  local name=$1 fd host hd addr
  fd=$(fleet_dir "$name")
  [ -d "$fd" ] || return 0
  if [ -z "${OPSDECK_WATCHDOG:-}" ] && [ -f "$fd/watchdog.pid" ]; then
    kill "$(cat "$fd/watchdog.pid")" 2>/dev/null || true
  fi
  local pids=()
  # Pulling the plug is enough for a fleet that is thrown away, and 2 s faster than a poweroff.
  for hd in "$fd"/hosts/*; do stop_host "$name" "$(basename "$hd")" --kill & pids+=($!); done
  for host in "${pids[@]}"; do wait "$host" || true; done
  net_down() {
    for hd in "$fd"/hosts/*; do
      host=$(basename "$hd")
      addr=$(cat "$hd/address" 2>/dev/null || true)
      mountpoint -q "$hd/merged" && umount -l "$hd/merged"
      teardown_host_network "opsd-$name-$host" "$addr"
    done
    rm -rf "$fd"
    host_cgroup_remove "$name"
    remove_bridge_if_unused
  }
  with_global_lock net_down
}

cmd_stop_host() {
  require_root
  [ $# -eq 2 ] || { [ $# -eq 3 ] && [ "$3" = --kill ]; } || die "usage: fleet.sh stop-host NAME HOST [--kill]"
  [ -d "$(host_dir "$1" "$2")" ] || die "no host '$2' in fleet '$1'"
  stop_host "$@"
}

cmd_start_host() {
  require_root
  [ $# -eq 2 ] || die "usage: fleet.sh start-host NAME HOST"
  local hd
  hd=$(host_dir "$1" "$2")
  [ -d "$hd" ] || die "no host '$2' in fleet '$1'"
  ! nspawn_pid "$1" "$2" >/dev/null || die "host '$2' is already running"
  boot_host "$1" "$2"
  wait_booted "$1" "$2"
}

cmd_exec() {
  [ $# -ge 4 ] && [ "$3" = "--" ] || die "usage: fleet.sh exec NAME HOST -- CMD..."
  local name=$1 host=$2 leader
  shift 3
  [ -d "$(host_dir "$name" "$host")" ] || die "no host '$host' in fleet '$name'"
  leader=$(leader_pid "$name" "$host") || die "host '$host' of fleet '$name' is not running"
  exec nsenter --target "$leader" --mount --uts --ipc --net --pid --cgroup --root --wd \
    env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
    SYSTEMD_PAGER= SYSTEMD_COLORS=0 "$@"
}

cmd_status() {
  local fd name host hd state
  for fd in "$RUN"/fleets/*; do
    name=$(basename "$fd")
    [ $# -eq 0 ] || [ "$1" = "$name" ] || continue
    echo "fleet $name (owner: $(cut -d' ' -f1 "$fd/owner" 2>/dev/null || echo '?'))"
    for hd in "$fd"/hosts/*; do
      host=$(basename "$hd")
      state=stopped
      nspawn_pid "$name" "$host" >/dev/null && state=running
      printf '  %-16s %-14s %s\n' "$host" "$(cat "$hd/address" 2>/dev/null || echo '-')" "$state"
    done
  done
}

cmd_cleanup() {
  require_root
  local all=0 fd owner ns link pid m
  [ "${1:-}" = "--all" ] && all=1
  ensure_guard_route
  for fd in "$RUN"/fleets/*; do
    owner=$(cat "$fd/owner" 2>/dev/null || true)
    if [ $all = 0 ]; then
      [ "$owner" = manual ] && continue
      # No owner yet: another `up` may be between mkdir and writing it.
      [ -z "$owner" ] && [ -n "$(find "$fd" -maxdepth 0 -mmin -2)" ] && continue
      # shellcheck disable=SC2086 # "pid starttime"
      [ -n "$owner" ] && alive $owner && continue
    fi
    log "removing fleet $(basename "$fd") (owner: ${owner:-none})"
    cmd_down "$(basename "$fd")" || true
  done
  # Leftovers that no live fleet claims (a crash between steps, or a wiped run folder).
  with_global_lock cleanup_orphans
}

cleanup_orphans() {
  local claimed=" " fd hd ns pid m link addr
  for fd in "$RUN"/fleets/*; do
    for hd in "$fd"/hosts/*; do
      claimed+="opsd-$(basename "$fd")-$(basename "$hd") "
      addr=$(cat "$hd/address" 2>/dev/null || true)
      [ -n "$addr" ] && claimed+="opsd-v${addr##*.} "
    done
  done
  for pid in $(pgrep -f "^systemd-nspawn .*-D $RUN/fleets/" || true); do
    local dir
    dir=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | sed -n "s|.*-D $RUN/fleets/\([^/]*\)/.*|\1|p")
    if [ -n "$dir" ] && [ ! -d "$RUN/fleets/$dir" ]; then log "killing stray nspawn $pid"; kill -9 "$pid" || true; fi
  done
  for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep '^opsd-' || true); do
    [[ $claimed == *" $ns "* ]] || { log "removing stray namespace $ns"; teardown_host_network "$ns" ""; }
  done
  for link in $(ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1 | grep '^opsd-v' || true); do
    [[ $claimed == *" $link "* ]] || { log "removing stray link $link"; ip link delete "$link" 2>/dev/null || true; }
  done
  for m in $(awk -v run="$RUN/fleets/" 'index($2, run) == 1 {print $2}' /proc/mounts); do
    [ -d "$RUN/fleets/$(echo "${m#"$RUN"/fleets/}" | cut -d/ -f1)" ] || { log "unmounting stray $m"; umount -l "$m" || true; }
  done
  for m in "$RUN"/leases/*; do
    [ -d "$RUN/fleets/$(cut -d' ' -f1 "$m/owner" 2>/dev/null)" ] || rm -rf "$m"
  done
  remove_bridge_if_unused
}

main() {
  local cmd=${1:-}
  [ $# -gt 0 ] && shift
  case $cmd in
    build) cmd_build "$@" ;;
    prune) cmd_prune "$@" ;;
    up) cmd_up "$@" ;;
    down) cmd_down "$@" ;;
    stop-host) cmd_stop_host "$@" ;;
    start-host) cmd_start_host "$@" ;;
    exec) cmd_exec "$@" ;;
    status) cmd_status "$@" ;;
    cleanup) cmd_cleanup "$@" ;;
    *) die "usage: fleet.sh build | prune | up NAME N [options] | down NAME | stop-host NAME HOST | start-host NAME HOST | exec NAME HOST -- CMD... | status [NAME] | cleanup [--all]" ;;
  esac
}

main "$@"

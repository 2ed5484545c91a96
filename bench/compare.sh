#!/usr/bin/env bash
# compare.sh measures digest side by side with the tools it should be judged
# against, on this machine, in one run, and prints a table:
#
#   1. `digest build` on generated 10,000- and 100,000-clipping vaults (first
#      build with a fresh state, and a rebuild a week later with nothing
#      changed) against `rg -l -F -e AI -e 未来趋势` over the same vault: the
#      configured tags as fixed strings, which is what a person would grep
#      for ('#AI' and 'ai/' are covered by 'AI'). Page cache warm for both:
#      each runs once untimed, then BENCH_RUNS times interleaved; medians.
#   2. `digest send` of one issue to 10,000 subscribers through Postfix's
#      smtp-sink on 127.0.0.1 (tls: none, concurrency 4) against smtp-source
#      sending as many copies of a real message of that issue (-F, so the
#      same size and bytes) over 4 reused connections (-s 4 -d) to the same
#      sink: messages per second, medians of BENCH_SEND_RUNS.
#   3. peak memory (max RSS) of `digest send` to 100,000 subscribers, and to
#      1,000,000 with BENCH_MILLION=1 (about 7 minutes more).
#
# Between 2 and 3 it times one synced group commit of the delivery ledger,
# which bounds how fast any send can go with the crash guarantee.
#
# It installs what it lacks (ripgrep, postfix, time) with apt-get, builds
# bin/digest, and keeps generated vaults under bench/out/ (gitignored;
# regenerated when missing or with BENCH_FRESH=1). Every build starts from a
# fresh state; every send from a copy of the state right after the build.
#
# Environment: BENCH_SIZES ("10000 100000"; empty skips part 1), BENCH_RUNS (5),
# BENCH_SEND (10000; 0 skips the rate in part 2), BENCH_SEND_RUNS (3),
# BENCH_SEND_MEM (100000; 0 skips part 3; both 0 skip parts 2 and 3),
# BENCH_MILLION (0), BENCH_PORT (2525), BENCH_OUT (bench/out).
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=$(mkdir -p "${BENCH_OUT:-bench/out}" && cd "${BENCH_OUT:-bench/out}" && pwd)
SIZES=${BENCH_SIZES-10000 100000}
RUNS=${BENCH_RUNS:-5}
SEND_N=${BENCH_SEND:-10000}
SEND_RUNS=${BENCH_SEND_RUNS:-3}
MEM_N=${BENCH_SEND_MEM:-100000}
PORT=${BENCH_PORT:-2525}
NOW=2026-06-29T20:00:00+08:00  # the vaults are generated for this build time
NEXT=2026-07-06T20:00:00+08:00 # a week later: nothing new, every file unchanged
SAME=2026-06-29T21:00:00+08:00 # an hour later: the week's issue, not yet mailed, is refreshed
SEED=1
export DIGEST_SECRET=bench-secret-not-for-production
export PATH=$PATH:/usr/sbin:/usr/local/sbin
START=$EPOCHREALTIME

log() { printf 'bench: %s\n' "$*" >&2; }

# --- tools --------------------------------------------------------------

install_missing() {
	local pkgs=()
	command -v rg >/dev/null || pkgs+=(ripgrep)
	if [ "$SEND_N" != 0 ] || [ "$MEM_N" != 0 ]; then
		command -v smtp-sink >/dev/null && command -v smtp-source >/dev/null || pkgs+=(postfix)
	fi
	[ -x /usr/bin/time ] || pkgs+=(time)
	[ ${#pkgs[@]} -eq 0 ] && return
	log "installing ${pkgs[*]}"
	local sudo=
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	# No mail server is configured or started: only the test programs are used.
	echo "postfix postfix/main_mailer_type select No configuration" | $sudo debconf-set-selections 2>/dev/null || true
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 update -qq
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq "${pkgs[@]}" >/dev/null
}
install_missing

log "building bin/digest"
go build -o bin/digest ./cmd/digest
go build -o "$OUT/gen" ./bench/gen
DIGEST=$ROOT/bin/digest

# --- measuring ------------------------------------------------------------

# measure CMD...: runs CMD (stdout to $OUT/last.out, stderr to $OUT/last.err)
# and sets WALL (seconds) and RSS (peak KB).
measure() {
	local s e
	s=$EPOCHREALTIME
	/usr/bin/time -f %M -o "$OUT/last.rss" "$@" >"$OUT/last.out" 2>"$OUT/last.err" || {
		local rc=$?
		# rg exits 1 when nothing matches; anything else is a failure.
		if [ "$1" != rg ] || [ $rc -ne 1 ]; then
			log "failed ($rc): $*"
			tail -5 "$OUT/last.err" >&2
			exit 1
		fi
	}
	e=$EPOCHREALTIME
	WALL=$(awk -v s="$s" -v e="$e" 'BEGIN { printf "%.4f", e - s }')
	RSS=$(tail -1 "$OUT/last.rss")
}

median() { tr ' ' '\n' | grep . | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
secs() { awk -v t="$1" 'BEGIN { printf "%.3fs", t }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
mb() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
verdict() { awk -v v="$1" -v op="$2" -v t="$3" 'BEGIN { ok = (op == "<=") ? v <= t : (op == "<") ? v < t : v >= t; print ok ? "met" : "NOT met" }'; }
jsonfield() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"; }

ROWS=()
row() { ROWS+=("$(printf '%-52s %11s %10s %6s  %s' "$@")"); }

config() { # config DIR VAULT [smtp]: writes DIR/digest.yaml
	mkdir -p "$1"
	{
		echo "vault: $2"
		echo "tags: [AI, 未来趋势]"
		echo "out: $1/public"
		echo "state: $1/state.db"
		echo "outbox: $1/outbox"
		echo "subscribers: $1/subscribers.csv"
		echo "site: {title: Bench Digest, url: https://bench.digest-weekly.net, author: Bench, language: zh-CN}"
		echo "from: \"Bench Digest <bench@digest-weekly.net>\""
		echo "send: {concurrency: 4, rate: 0}"
		echo "secret_env: DIGEST_SECRET"
		if [ "${3:-}" = smtp ]; then echo "smtp: {host: 127.0.0.1, port: $PORT, tls: none}"; fi
	} >"$1/digest.yaml"
}

fresh_state() { rm -f "$1/state.db" "$1/state.db-wal" "$1/state.db-shm"; }

vault() { # vault N: generates bench/out/vault-N unless it is there
	local v=$OUT/vault-$1 stamp="gen vault -n $1 -seed $SEED -now $NOW"
	if [ "${BENCH_FRESH:-0}" = 1 ] || [ "$(cat "$v.stamp" 2>/dev/null)" != "$stamp" ]; then
		log "generating a $1-clipping vault"
		rm -rf "$v" "$v.stamp"
		"$OUT/gen" vault -n "$1" -seed "$SEED" -now "$NOW" "$v" 2>&1 | sed 's/^/bench: /' >&2
		echo "$stamp" >"$v.stamp"
	fi
	echo "$v"
}

# --- 1. build against rg -l --------------------------------------------------

for n in $SIZES; do
	v=$(vault "$n")
	dir=$OUT/build-$n
	config "$dir" "$v"
	log "build, $n clippings: warming the page cache"
	measure rg -l -F -e AI -e 未来趋势 "$v"
	hits=$(wc -l <"$OUT/last.out")
	fresh_state "$dir"
	measure "$DIGEST" --config "$dir/digest.yaml" --now "$NOW" build --json
	cp "$OUT/last.out" "$dir/build.json"
	rg_t=() rg_m=() first_t=() first_m=() re_t=() re_m=() same_t=()
	for i in $(seq "$RUNS"); do
		log "build, $n clippings: run $i of $RUNS"
		measure rg -l -F -e AI -e 未来趋势 "$v"
		rg_t+=("$WALL") rg_m+=("$RSS")
		fresh_state "$dir"
		measure "$DIGEST" --config "$dir/digest.yaml" --now "$NOW" build
		first_t+=("$WALL") first_m+=("$RSS")
		measure "$DIGEST" --config "$dir/digest.yaml" --now "$NEXT" build
		re_t+=("$WALL") re_m+=("$RSS")
		measure "$DIGEST" --config "$dir/digest.yaml" --now "$SAME" build
		same_t+=("$WALL")
	done
	rgt=$(echo "${rg_t[*]}" | median) rgm=$(echo "${rg_m[*]}" | median)
	ft=$(echo "${first_t[*]}" | median) fm=$(echo "${first_m[*]}" | median)
	rt=$(echo "${re_t[*]}" | median) rm_=$(echo "${re_m[*]}" | median)
	st=$(echo "${same_t[*]}" | median)
	fr=$(ratio "$ft" "$rgt") rr=$(ratio "$rt" "$rgt") sr_=$(ratio "$st" "$rgt")
	notes=$(jsonfield "$dir/build.json" notes) items=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["items"]))' "$dir/build.json") parsed=$(jsonfield "$dir/build.json" parsed)
	row "build $n: rg -l ($hits files match)" "$(secs "$rgt")" "$(mb "$rgm") MB" "1.00" ""
	if [ "$n" -ge 100000 ]; then
		row "build $n: first build ($parsed parsed, $items items)" "$(secs "$ft")" "$(mb "$fm") MB" "$fr" "target <= 2x rg: $(verdict "$fr" "<=" 2); memory < 200 MB: $(verdict "$fm" "<" 204800)"
		row "build $n: rebuild, nothing changed" "$(secs "$rt")" "$(mb "$rm_") MB" "$rr" "target <= 1x rg: $(verdict "$rr" "<=" 1); memory < 200 MB: $(verdict "$rm_" "<" 204800)"
		row "build $n: again an hour later (issue refreshed)" "$(secs "$st")" "" "$sr_" "a rescan: unchanged files stat'ed and skipped"
	else
		row "build $n: first build ($parsed parsed, $items items)" "$(secs "$ft")" "$(mb "$fm") MB" "$fr" ""
		row "build $n: rebuild, nothing changed" "$(secs "$rt")" "$(mb "$rm_") MB" "$rr" ""
	fi
	log "build $n ($notes notes): rg ${rg_t[*]} | first ${first_t[*]} | rebuild ${re_t[*]} | same week ${same_t[*]}"
done

# Parts 2 and 3 need Postfix's smtp-sink: with BENCH_SEND=0 and
# BENCH_SEND_MEM=0 they are skipped.
send_part() {
	# --- 2. send against smtp-source -------------------------------------------

	# The send uses the issue of the first build size's vault, or of a
	# 10,000-clipping vault when BENCH_SIZES is empty (the build part skipped).
	first_n=${SIZES%% *}
	first_n=${first_n:-10000}
	built=$OUT/build-$first_n
	dir=$OUT/send
	mkdir -p "$dir"
	config "$built" "$(vault "$first_n")"
	fresh_state "$built"
	"$DIGEST" --config "$built/digest.yaml" --now "$NOW" build >/dev/null 2>&1
	cp "$built/state.db" "$dir/state-built.db"

	SINK_PID=
	stop_sink() { if [ -n "$SINK_PID" ]; then kill "$SINK_PID" 2>/dev/null || true; wait "$SINK_PID" 2>/dev/null || true; SINK_PID=; fi; }
	trap stop_sink EXIT
	sinkuser=()
	[ "$(id -u)" -eq 0 ] && sinkuser=(-u nobody)
	smtp-sink "${sinkuser[@]}" 127.0.0.1:"$PORT" 1024 &
	SINK_PID=$!
	sleep 0.5
	kill -0 "$SINK_PID" || { log "smtp-sink did not start on 127.0.0.1:$PORT"; exit 1; }

	# A real message of the issue, for smtp-source to send: from the outbox.
	config "$dir/one" "$OUT/vault-$first_n"
	cp "$dir/state-built.db" "$dir/one/state.db"
	rm -rf "$dir/one/outbox"
	"$DIGEST" --config "$dir/one/digest.yaml" --now "$NOW" send --to reader0000001@example.org >/dev/null 2>&1
	msg=$(find "$dir/one/outbox" -type f | head -1)
	cp "$msg" "$dir/message.eml"
	size=$(wc -c <"$dir/message.eml")

	send_run() { # send_run N DIR: a fresh ledger, N subscribers, through the sink
		config "$2" "$OUT/vault-$first_n" smtp
		[ -s "$2/subscribers.csv" ] || "$OUT/gen" subscribers -n "$1" -seed "$SEED" "$2/subscribers.csv"
		fresh_state "$2"
		cp "$dir/state-built.db" "$2/state.db"
		measure "$DIGEST" --config "$2/digest.yaml" --now "$NOW" send --json
		SENT=$(jsonfield "$OUT/last.out" sent)
		FAILED=$(jsonfield "$OUT/last.out" failed)
		# Every message is in the ledger as sent, read back from the state file.
		LEDGER=$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT count(*) FROM deliveries WHERE state = ?", ("sent",)).fetchone()[0])' "$2/state.db")
		if [ "$LEDGER" != "$SENT" ] || [ "$FAILED" != 0 ]; then
			log "send: $SENT sent, $FAILED failed, but $LEDGER sent in the ledger"
			exit 1
		fi
	}

	if [ "$SEND_N" != 0 ]; then
		d_rate=() d_mem=() s_rate=()
		for i in $(seq "$SEND_RUNS"); do
			log "send, $SEND_N subscribers: run $i of $SEND_RUNS"
			send_run "$SEND_N" "$dir/n$SEND_N"
			d_rate+=("$(awk -v n="$SENT" -v t="$WALL" 'BEGIN { printf "%.1f", n / t }')") d_mem+=("$RSS")
			measure smtp-source -d -s 4 -m "$SENT" -F "$dir/message.eml" -f bench@digest-weekly.net -t reader@example.com 127.0.0.1:"$PORT"
			s_rate+=("$(awk -v n="$SENT" -v t="$WALL" 'BEGIN { printf "%.1f", n / t }')")
		done
		dr=$(echo "${d_rate[*]}" | median) sr=$(echo "${s_rate[*]}" | median) dm=$(echo "${d_mem[*]}" | median)
		sratio=$(ratio "$dr" "$sr")
		row "send $SEND_N: smtp-source -s 4 -d ($SENT x $size B)" "${sr}/s" "" "1.00" ""
		row "send $SEND_N: digest send, concurrency 4" "${dr}/s" "$(mb "$dm") MB" "$sratio" "target >= 1.0x smtp-source: $(verdict "$sratio" ">=" 1.0); all $SENT in the ledger as sent"
		log "send: digest ${d_rate[*]} msg/s | smtp-source ${s_rate[*]} msg/s"

		# What the ledger's durability costs: a message's final dot waits for its
		# sending mark to be synced, in one commit with the connection's previous
		# answer (so that a crash leaves at most one row in doubt per connection).
		# One such group commit, four marks and four answers, bounds a send at
		# concurrency 4 to 4 / (commit + the relay's reply to the dot) messages a second.
		log "ledger: one group commit, synced"
		go test -run '^$' -bench '^BenchmarkApplyGroup$' -benchtime 2000x ./digest/sqlite/ >"$OUT/ledger.out"
		commit_ns=$(awk '/^BenchmarkApplyGroup/ { print $3 }' "$OUT/ledger.out")
		row "ledger: a group commit (4 marks + 4 answers)" "$(awk -v n="$commit_ns" 'BEGIN { printf "%.3fms", n / 1e6 }')" "" "" "at most $(awk -v n="$commit_ns" 'BEGIN { printf "%.0f", 4e9 / n }') msg/s at concurrency 4 with no time on the wire"
	fi

	# --- 3. send memory ---------------------------------------------------------------

	mem_sizes=$MEM_N
	[ "$mem_sizes" = 0 ] && mem_sizes=
	[ "${BENCH_MILLION:-0}" = 1 ] && mem_sizes="$mem_sizes 1000000"
	for n in $mem_sizes; do
		log "send, $n subscribers: peak memory"
		send_run "$n" "$dir/n$n"
		rate=$(awk -v n="$SENT" -v t="$WALL" 'BEGIN { printf "%.1f", n / t }')
		row "send $n: digest send peak memory" "$(secs "$WALL")" "$(mb "$RSS") MB" "" "$SENT sent, ${rate}/s; target < 64 MB: $(verdict "$RSS" "<" 65536)"
	done
	stop_sink
}
if [ "$SEND_N" != 0 ] || [ "$MEM_N" != 0 ]; then
	send_part
fi

# --- table ------------------------------------------------------------------------

echo
echo "digest vs rg and Postfix on $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GB", $2 / 1048576 }' /proc/meminfo); medians of $RUNS build and $SEND_RUNS send runs"
printf '%-52s %11s %10s %6s  %s\n' "what" "time/rate" "peak RSS" "ratio" "target"
printf '%s\n' "${ROWS[@]}"
echo "rg: rg -l -F -e AI -e 未来趋势 VAULT; rebuild: --now a week later, no file changed (every note stat'ed, none read)"
echo "make bench (this script) took $(awk -v s="$START" -v e="$EPOCHREALTIME" 'BEGIN { printf "%.0f", e - s }') s"
